//! The client for Rust wasm apps (Leptos, Yew, Dioxus...): [`EventSource`]
//! builds a request, [`EventSource::connect`] runs the same loop as
//! `fetchEventSource` and hands its events over as a [`futures_util::Stream`].
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use wasm_sse::client::EventSource;
//!
//! async fn ask(prompt: &str) -> Result<String, wasm_sse::client::ClientError> {
//!     let body = format!(r#"{{"stream":true,"messages":[{{"role":"user","content":{prompt:?}}}]}}"#);
//!     let mut events = EventSource::new("/v1/chat/completions")
//!         .method("POST")
//!         .header("Content-Type", "application/json")
//!         .body(body)
//!         .idle_timeout_ms(30_000)
//!         .connect();
//!     let mut answer = String::new();
//!     while let Some(message) = events.next().await {
//!         let message = message?;
//!         if message.data == "[DONE]" {
//!             break;
//!         }
//!         answer.push_str(&message.data);
//!     }
//!     // Dropping `events` (here, or earlier) aborts the request and every timer.
//!     Ok(answer)
//! }
//! ```

// The example above is compiled for wasm32 by `make test-wasm`
// (`cargo test --doc --target wasm32-unknown-unknown`): the module exists only there.

use std::cell::RefCell;
use std::fmt;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_channel::mpsc;
use futures_util::{Stream, StreamExt};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::io::global;
use super::{js_message, run, Config, Driver, Problem};
use crate::parser::Event;
use crate::reconnect::{Metrics, Override, ReconnectOptions, StreamError};

/// One dispatched event, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The event type: the block's `event:` field, or `"message"`.
    pub event: String,
    /// The block's `data:` lines joined with LF.
    pub data: String,
    /// The stream's last event ID after this event (sticky; empty if none).
    pub id: String,
    /// A `retry:` field that came since the previous event, in ms.
    pub retry: Option<u64>,
}

/// Why an [`EventStream`] ended with an error.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The retry policy stopped on this error (a 4xx status, a content type,
    /// `max_retries`...).
    Stream(StreamError),
    /// The request could not be built (say, an invalid header name): what JS threw.
    Js(JsValue),
}

impl ClientError {
    /// The error's `type`, as the JS `FetchEventSourceError` has it (`"js"` for
    /// [`ClientError::Js`]).
    pub fn kind(&self) -> &'static str {
        match self {
            ClientError::Stream(error) => error.kind(),
            ClientError::Js(_) => "js",
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Stream(error) => error.fmt(f),
            ClientError::Js(value) => f.write_str(&js_message(value)),
        }
    }
}

impl std::error::Error for ClientError {}

/// A request to stream from, with the client's settings. Built step by step,
/// then [`EventSource::connect`]ed.
#[derive(Clone, Debug)]
pub struct EventSource {
    url: String,
    init: Vec<(&'static str, JsValue)>,
    headers: Vec<(String, String)>,
    config: Config,
    fetch: Option<Function>,
}

impl EventSource {
    /// A `GET` of `url` with the default settings (see [`ReconnectOptions`]).
    pub fn new(url: impl Into<String>) -> EventSource {
        EventSource {
            url: url.into(),
            init: Vec::new(),
            headers: Vec::new(),
            config: Config::default(),
            fetch: None,
        }
    }

    /// The HTTP method, such as `"POST"`.
    pub fn method(self, method: &str) -> EventSource {
        self.init("method", method.into())
    }

    /// Adds a header to every attempt. `Accept: text/event-stream` is added unless
    /// set here, and `Last-Event-ID` on reconnects.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> EventSource {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The request body, sent again intact on every attempt.
    pub fn body(self, body: impl Into<String>) -> EventSource {
        self.init("body", JsValue::from_str(&body.into()))
    }

    /// The request body as bytes, sent again intact on every attempt.
    pub fn body_bytes(self, body: &[u8]) -> EventSource {
        self.init("body", js_sys::Uint8Array::from(body).into())
    }

    /// Any other `RequestInit` member, such as `credentials` or `mode`.
    pub fn init(mut self, name: &'static str, value: JsValue) -> EventSource {
        self.init.push((name, value));
        self
    }

    /// The retry policy (base delay, backoff, jitter, limits, reconnect on end).
    pub fn retry(mut self, options: ReconnectOptions) -> EventSource {
        self.config.policy = options;
        self
    }

    /// No response headers, or no byte (comments count), for this long is a
    /// network error, retried.
    pub fn idle_timeout_ms(mut self, ms: u32) -> EventSource {
        self.config.idle_timeout_ms = Some(f64::from(ms));
        self
    }

    /// The most bytes one line or event may hold; more is a `max-buffer` error.
    /// Default [`crate::parser::DEFAULT_MAX_BUFFER_SIZE`] (32 MiB); `usize::MAX`
    /// for no limit.
    pub fn max_buffer_size(mut self, bytes: usize) -> EventSource {
        self.config.max_buffer_size = Some(bytes);
        self
    }

    /// Reconnect while the page is hidden too (by default a hidden page waits).
    pub fn open_when_hidden(mut self, yes: bool) -> EventSource {
        self.config.open_when_hidden = yes;
        self
    }

    /// A fetch function to use instead of the global `fetch`.
    pub fn fetch(mut self, fetch: Function) -> EventSource {
        self.fetch = Some(fetch);
        self
    }

    /// Starts streaming (on the JS event loop, with `spawn_local`). The events
    /// come out of the returned stream; dropping it aborts the request.
    #[must_use = "streams do nothing unless polled; dropping one aborts the request"]
    pub fn connect(self) -> EventStream {
        let (sender, receiver) = mpsc::unbounded();
        let controller = web_sys::AbortController::new().ok();
        let signal = controller.as_ref().map(|c| c.signal());
        let metrics = Rc::new(RefCell::new(Metrics::new(js_sys::Date::now())));
        let fetch = self.fetch.clone().unwrap_or_else(|| global("fetch").unchecked_into());
        let errors = sender.clone();
        let driver =
            StreamDriver { sender, pending: Vec::new(), retry: None, fetch, metrics: Rc::clone(&metrics) };
        wasm_bindgen_futures::spawn_local(async move {
            let (input, init) = match self.request() {
                Ok(request) => request,
                Err(thrown) => {
                    let _ = errors.unbounded_send(Err(ClientError::Js(thrown)));
                    return;
                }
            };
            if let Err(error) = run(driver, &input, &init, &self.config, &signal).await {
                let _ = errors.unbounded_send(Err(error));
            }
        });
        EventStream { receiver, controller, metrics }
    }

    fn request(&self) -> Result<(JsValue, JsValue), JsValue> {
        let init = Object::new();
        for (name, value) in &self.init {
            Reflect::set(&init, &JsValue::from_str(name), value)?;
        }
        if !self.headers.is_empty() {
            let headers = web_sys::Headers::new()?;
            for (name, value) in &self.headers {
                headers.append(name, value)?;
            }
            Reflect::set(&init, &"headers".into(), &headers)?;
        }
        Ok((JsValue::from_str(&self.url), init.into()))
    }
}

/// The events of a connected [`EventSource`]: `Ok` per event, then at most one
/// `Err` with the error the client stopped on, then the end. Dropping it aborts
/// the request, the body reader and every timer.
#[must_use = "streams do nothing unless polled"]
pub struct EventStream {
    receiver: mpsc::UnboundedReceiver<Result<Message, ClientError>>,
    controller: Option<web_sys::AbortController>,
    metrics: Rc<RefCell<Metrics>>,
}

impl EventStream {
    /// The connection metrics so far: time to headers and to the first event,
    /// bytes, events, reconnects.
    pub fn metrics(&self) -> Metrics {
        self.metrics.borrow().clone()
    }
}

impl Stream for EventStream {
    type Item = Result<Message, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.receiver.poll_next_unpin(cx)
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }
}

struct StreamDriver {
    sender: mpsc::UnboundedSender<Result<Message, ClientError>>,
    /// The events of the chunk being parsed, sent together at its end.
    pending: Vec<Message>,
    retry: Option<u64>,
    fetch: Function,
    metrics: Rc<RefCell<Metrics>>,
}

impl Driver for StreamDriver {
    type Error = ClientError;

    fn fetch(&self) -> Function {
        self.fetch.clone()
    }

    fn on_open(&mut self, _: &web_sys::Response) -> Option<Result<JsValue, JsValue>> {
        None
    }

    fn on_event(&mut self, event: Event<'_>) {
        self.pending.push(Message {
            event: event.event.to_owned(),
            data: event.data.to_owned(),
            id: event.id.to_owned(),
            retry: self.retry.take(),
        });
    }

    fn on_retry(&mut self, ms: u64) {
        self.retry = Some(ms);
    }

    fn end_chunk(&mut self) -> Result<bool, JsValue> {
        for message in self.pending.drain(..) {
            if self.sender.unbounded_send(Ok(message)).is_err() {
                // The stream was dropped: nobody listens any more.
                return Ok(false);
            }
        }
        Ok(!self.sender.is_closed())
    }

    fn on_error(&mut self, problem: Problem<'_>) -> Result<Override, ClientError> {
        match problem {
            Problem::Typed(_) => Ok(Override::Default),
            // Only building the request throws here; retrying cannot fix that.
            Problem::Thrown(thrown) => Err(ClientError::Js(thrown.clone())),
        }
    }

    fn on_close(&mut self) -> Result<(), JsValue> {
        Ok(())
    }

    fn on_stream_open(&mut self, _: &web_sys::Response) -> Result<(), JsValue> {
        Ok(())
    }

    fn on_retry_scheduled(&mut self, _: u64, _: u32, _: bool) -> Result<(), ClientError> {
        Ok(())
    }

    fn on_metrics(&mut self, metrics: &Metrics) {
        *self.metrics.borrow_mut() = metrics.clone();
    }

    fn fail(&mut self, error: StreamError) -> ClientError {
        ClientError::Stream(error)
    }
}
