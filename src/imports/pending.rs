//! Files checked on the import page and waiting for the user to confirm them. A browser
//! cannot send the same file twice without the user choosing it again, so the checked bytes
//! wait here, one file per user, for `HOLD` at most. Held in this process's memory: on a
//! deployment of several instances the confirm may land on another one, which then says the
//! check has expired and asks for the file again (nothing is written from a file nobody saw
//! checked).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a checked file waits for its confirmation.
pub const HOLD: Duration = Duration::from_secs(30 * 60);
/// At most this many users' files at once (the oldest make way), bounding the memory held
/// to this many uploads.
pub const MOST: usize = 16;

#[derive(Debug, Clone)]
pub struct Checked {
    /// Names this check; the confirm form must carry it.
    pub token: String,
    pub filename: String,
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub at: Instant,
}

#[derive(Debug, Default)]
pub struct Pending(Mutex<HashMap<String, Checked>>);

impl Pending {
    /// Keeps `checked` as the user's file (replacing any earlier one).
    pub fn hold(&self, user_id: &str, checked: Checked) {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|_, c| c.at.elapsed() < HOLD);
        while held.len() >= MOST && !held.contains_key(user_id) {
            let Some(oldest) = held
                .iter()
                .min_by_key(|(_, c)| c.at)
                .map(|(u, _)| u.clone())
            else {
                break;
            };
            held.remove(&oldest);
        }
        held.insert(user_id.to_string(), checked);
    }

    /// The user's file if `token` names the check it came from and it has not expired.
    pub fn get(&self, user_id: &str, token: &str) -> Option<Checked> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.get(user_id)
            .filter(|c| c.token == token && c.at.elapsed() < HOLD)
            .cloned()
    }

    /// Done with: the file was imported (or the user started again).
    pub fn forget(&self, user_id: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(token: &str) -> Checked {
        Checked {
            token: token.into(),
            filename: "register.csv".into(),
            bytes: std::sync::Arc::new(b"nhs_number\n".to_vec()),
            at: Instant::now(),
        }
    }

    #[test]
    fn a_file_waits_for_its_own_check_only() {
        let pending = Pending::default();
        pending.hold("u1", checked("t1"));
        assert!(pending.get("u1", "t1").is_some());
        assert!(pending.get("u1", "t2").is_none(), "another check's token");
        assert!(pending.get("u2", "t1").is_none(), "another user's file");
        pending.hold("u1", checked("t2"));
        assert!(
            pending.get("u1", "t1").is_none(),
            "replaced by the new check"
        );
        pending.forget("u1");
        assert!(pending.get("u1", "t2").is_none());
    }

    #[test]
    fn the_oldest_make_way_past_the_bound() {
        let pending = Pending::default();
        for n in 0..MOST + 3 {
            pending.hold(&format!("u{n}"), checked("t"));
        }
        let held = pending.0.lock().unwrap().len();
        assert_eq!(held, MOST);
        assert!(pending.get(&format!("u{}", MOST + 2), "t").is_some());
    }
}
