//! Work that holds a claim in the database (the sweep lease, a sender's claim on a
//! recipient's notifications) renews it while it runs. The claim can then be short: a holder
//! killed mid-work leaves a claim that runs out within one time to live, instead of one long
//! enough for the slowest run.

use std::future::Future;
use std::time::Duration;

/// Runs `work` to its end, calling `renew` every `every` meanwhile (not before the first
/// interval has passed). `renew` reports whether the claim is still ours; losing it is
/// logged as an error naming `what`, and the work still finishes (its writes check their own
/// claim tokens).
pub async fn keep_alive<T, R, RF>(
    what: &str,
    work: impl Future<Output = T>,
    every: Duration,
    renew: R,
) -> T
where
    R: Fn() -> RF,
    RF: Future<Output = bool>,
{
    tokio::pin!(work);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut lost = false;
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = ticker.tick() => {
                if !renew().await && !lost {
                    lost = true;
                    tracing::error!(what, "lost the claim while working; another instance may take the work over");
                }
            }
        }
    }
}

/// A third of a time to live: two renewals can fail before the claim runs out.
pub fn every_third(ttl_secs: i64) -> Duration {
    Duration::from_millis((ttl_secs.max(3) as u64) * 1000 / 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn renews_every_interval_until_the_work_ends() {
        let renewals = Arc::new(AtomicUsize::new(0));
        let counted = renewals.clone();
        let out = keep_alive(
            "test",
            async {
                tokio::time::sleep(Duration::from_millis(3500)).await;
                7
            },
            Duration::from_secs(1),
            move || {
                let counted = counted.clone();
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    true
                }
            },
        )
        .await;
        assert_eq!(out, 7);
        assert_eq!(renewals.load(Ordering::SeqCst), 3, "at 1 s, 2 s and 3 s");
    }

    #[tokio::test(start_paused = true)]
    async fn quick_work_is_never_renewed() {
        let renewals = Arc::new(AtomicUsize::new(0));
        let counted = renewals.clone();
        keep_alive("test", async {}, Duration::from_secs(1), move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                false
            }
        })
        .await;
        assert_eq!(renewals.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_third_of_the_time_to_live() {
        assert_eq!(every_third(30), Duration::from_secs(10));
        assert_eq!(every_third(10), Duration::from_millis(3333));
        assert_eq!(every_third(0), Duration::from_secs(1));
    }
}
