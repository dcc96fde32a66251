//! A request body that stops arriving is answered 408 and its connection closed, whichever
//! extractor was reading it (JSON, a form, an upload). actix-web bounds the request head
//! (`client_request_timeout`) but not the body: a client that sends half a body and waits
//! would hold a worker's request open for ever.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, ResponseError};
use futures_util::Stream;

use crate::error::ApiError;

/// The configured wait for the next piece of a body, stored as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// The payload, failing once nothing has arrived for `wait`.
struct Deadline {
    inner: Payload,
    wait: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
    fired: Arc<AtomicBool>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.fired.load(Ordering::Relaxed) {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(item) => {
                let next = tokio::time::Instant::now() + self.wait;
                self.sleep.as_mut().reset(next);
                Poll::Ready(item)
            }
            Poll::Pending => match self.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.fired.store(true, Ordering::Relaxed);
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body stopped arriving",
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// Middleware: wraps a request's body in the deadline and, if it fired, answers 408 with
/// `Connection: close` in place of whatever the handler made of the broken body.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let wait = req.app_data::<BodyTimeout>().map(|t| t.0);
    let (Some(wait), true) = (wait, has_body(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let fired = Arc::new(AtomicBool::new(false));
    let inner = req.take_payload();
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(Deadline {
        inner,
        wait,
        sleep: Box::pin(tokio::time::sleep(wait)),
        fired: fired.clone(),
    });
    req.set_payload(Payload::from(stream));
    let res = next.call(req).await?;
    if !fired.load(Ordering::Relaxed) {
        return Ok(res.map_into_boxed_body());
    }
    tracing::warn!(wait_secs = wait.as_secs(), "request body timed out");
    let error = ApiError::RequestTimeout(format!(
        "the request body stopped arriving for {} s; send it again",
        wait.as_secs()
    ));
    let mut response = error.error_response();
    response
        .head_mut()
        .set_connection_type(actix_web::http::ConnectionType::Close);
    Ok(res.into_response(response))
}
