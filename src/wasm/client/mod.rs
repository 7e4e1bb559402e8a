//! The `fetch()` client: requests, body reading through wasm-streams, timers
//! and abort. All decisions (retry or stop, which delay, which headers) come
//! from the sans-IO [`ReconnectPolicy`]; all parsing from the sans-IO [`Parser`].
//!
//! One loop ([`run`]) serves two faces, each a [`Driver`]:
//! * [`js`]: `fetchEventSource` of the npm package, with the caller's JS
//!   callbacks (`pkg-template/client.js` wraps them into [`Hooks`]);
//! * [`stream`]: [`EventSource`], a Rust `Stream` of events for Rust wasm apps.
//!
//! Everything JS is taken from the global scope, so the same code runs in a
//! window, a worker and Node. Every JS resource (timer, listener, reader) is
//! owned by a Rust value whose `Drop` releases it, so leaving the loop on any
//! path (abort included) leaves nothing pending.

mod io;
mod js;
mod stream;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_util::future::Either;
use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::parser::{Event, ParseError, Parser, ParserOptions, Sink};
use crate::reconnect::{
    classify, Decision, Metrics, Override, ReconnectOptions, ReconnectPolicy, Replay, ResponseHead,
    StreamError, Verdict,
};
use io::{
    abort_of, is_aborted, page_is_hidden, race, wait_until_visible, AbortOnDrop, BodyEnd, BodyPump, Sleep,
};

pub use js::{run_event_source, Hooks};
pub use stream::{ClientError, EventSource, EventStream, Message};

/// What went wrong in an attempt, as the driver's `on_error` sees it.
pub(crate) enum Problem<'a> {
    /// A typed error: a status, a network failure, a timeout...
    Typed(&'a StreamError),
    /// A JS callback (or fetch itself) threw this.
    Thrown(&'a JsValue),
}

/// Whoever runs the loop: where events go and who is asked about errors.
pub(crate) trait Driver {
    /// What the run fails with.
    type Error;
    /// The fetch function to call for every attempt.
    fn fetch(&self) -> Function;
    /// The caller's own check of a response, replacing the default one: a value
    /// (awaited when it is a promise) or a throw. `None`: the default check.
    fn on_open(&mut self, response: &web_sys::Response) -> Option<Result<JsValue, JsValue>>;
    /// One dispatched event.
    fn on_event(&mut self, event: Event<'_>);
    /// A `retry:` field, in stream order with the events.
    fn on_retry(&mut self, ms: u64);
    /// The events of one chunk are all in: hand them over. `Ok(false)` stops
    /// reading (the consumer has what it wanted); `Err` is a thrown callback.
    fn end_chunk(&mut self) -> Result<bool, JsValue>;
    /// A failure: retry after a delay, let the policy decide, or stop with this error.
    fn on_error(&mut self, problem: Problem<'_>) -> Result<Override, Self::Error>;
    /// The server ended the stream cleanly; a throw is handled like an error.
    fn on_close(&mut self) -> Result<(), JsValue>;
    /// A metrics snapshot, once per connection when it opens, and at the end.
    fn on_metrics(&mut self, metrics: &Metrics);
    /// The response opened the stream (it passed the default check or the
    /// caller's own); a throw is handled like an error.
    fn on_stream_open(&mut self, response: &web_sys::Response) -> Result<(), JsValue>;
    /// The policy decided to retry after `delay_ms`, the `retry`-th retry in a
    /// row; `restart` when the new request cannot resume the stream. A throw
    /// stops the run with it.
    fn on_retry_scheduled(&mut self, delay_ms: u64, retry: u32, restart: bool) -> Result<(), Self::Error>;
    /// The next request starts the stream over (it cannot resume): whatever
    /// was built from the events so far must start over too.
    fn on_restart(&mut self) {}
    /// The error the run fails with when the policy stops on `error`.
    fn fail(&mut self, error: StreamError) -> Self::Error;
}

/// Client settings beyond the request itself.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) policy: ReconnectOptions,
    pub(crate) max_buffer_size: Option<usize>,
    pub(crate) idle_timeout_ms: Option<f64>,
    pub(crate) open_when_hidden: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            policy: ReconnectOptions::default(),
            max_buffer_size: Some(crate::parser::DEFAULT_MAX_BUFFER_SIZE),
            idle_timeout_ms: None,
            open_when_hidden: false,
        }
    }
}

/// What a run owns across its attempts. The body's chunk callback shares it
/// (see [`Attempt::read`]), so it sits in a `RefCell`: borrowed only between
/// awaits, never across one.
struct Session<D> {
    driver: D,
    policy: ReconnectPolicy,
    metrics: Metrics,
    replay: Replay,
    parser: Parser,
}

type Shared<D> = Rc<RefCell<Session<D>>>;

/// Runs the client to its end: `Ok` when the server ends the stream (unless the
/// policy reconnects then), on 204, when the driver stops reading, or on abort;
/// `Err` with the error the policy stops on, or what a callback threw.
pub(crate) async fn run<D: Driver + 'static>(
    driver: D,
    input: &JsValue,
    init: &JsValue,
    config: &Config,
    signal: &Option<web_sys::AbortSignal>,
) -> Result<(), D::Error> {
    if is_aborted(signal) {
        return Ok(());
    }
    let now = js_sys::Date::now;
    let seed = (js_sys::Math::random() * 2f64.powi(53)) as u64;
    let options = config.policy.clone().method(&request_method(input, init));
    let session = Rc::new(RefCell::new(Session {
        driver,
        policy: ReconnectPolicy::new(options, now(), seed),
        metrics: Metrics::new(now()),
        replay: Replay::new(),
        parser: Parser::with_options(ParserOptions::default().max_buffer_size(config.max_buffer_size)),
    }));
    let mut attempt = 0u32;

    loop {
        if attempt > 0 {
            // Once per connection: the metrics go out when it opens (or the run ends).
            session.borrow_mut().metrics.on_reconnect(now());
            // A hidden tab does not reconnect until it is visible again (unless
            // openWhenHidden), so a background tab does not re-send a costly POST.
            if !config.open_when_hidden && page_is_hidden() {
                if let Either::Right(()) = race(wait_until_visible(), abort_of(signal)).await {
                    return Ok(());
                }
            }
        }
        attempt += 1;
        if is_aborted(signal) {
            return Ok(());
        }

        {
            let s = &mut *session.borrow_mut();
            s.replay.on_connect(!s.policy.last_event_id().is_empty());
        }
        let outcome = Attempt { session: &session, config, signal }.connect(input, init).await;
        if is_aborted(signal) {
            return Ok(());
        }
        let Some(decision) = session.borrow_mut().decide(outcome)? else {
            return Ok(());
        };
        if is_aborted(signal) {
            return Ok(());
        }
        match decision {
            Decision::Retry { delay_ms, retry, restart } => {
                {
                    let s = &mut *session.borrow_mut();
                    s.driver.on_retry_scheduled(delay_ms, retry, restart)?;
                    if restart {
                        s.replay.clear();
                        s.driver.on_restart();
                    }
                }
                if let Either::Right(()) = race(Sleep::new(delay_ms as f64), abort_of(signal)).await {
                    return Ok(());
                }
            }
            Decision::Stop { error } => {
                let s = &mut *session.borrow_mut();
                s.driver.on_metrics(&s.metrics);
                return match error {
                    Some(error) => Err(s.driver.fail(error)),
                    None => Ok(()),
                };
            }
        }
    }
}

impl<D: Driver> Session<D> {
    /// What follows an attempt: `None` when the run ends well here.
    fn decide(&mut self, outcome: Outcome) -> Result<Option<Decision>, D::Error> {
        let now = js_sys::Date::now;
        Ok(Some(match outcome {
            Outcome::Aborted => return Ok(None),
            Outcome::Finished => {
                self.driver.on_metrics(&self.metrics);
                return Ok(None);
            }
            Outcome::Ended => match self.driver.on_close() {
                Ok(()) => self.policy.on_end(now()),
                Err(thrown) => self.thrown_decision(&thrown)?,
            },
            Outcome::Failed(error) => {
                let choice = self.driver.on_error(Problem::Typed(&error))?;
                self.policy.on_error(error, choice, now())
            }
            Outcome::Thrown(thrown) => self.thrown_decision(&thrown)?,
        }))
    }

    /// A callback threw: the driver's `on_error` sees what it threw; by default it
    /// is retried like a network error.
    fn thrown_decision(&mut self, thrown: &JsValue) -> Result<Decision, D::Error> {
        let choice = self.driver.on_error(Problem::Thrown(thrown))?;
        let error = StreamError::Network { message: js_message(thrown) };
        Ok(self.policy.on_error(error, choice, js_sys::Date::now()))
    }

    /// Parses one chunk, hands its events to the driver and tells the policy
    /// and the metrics; `Some` when the attempt ends here.
    fn feed(&mut self, chunk: &[u8]) -> Option<Outcome> {
        // The clock matters only until the first byte and the first event are
        // timed: after that a chunk reads it no more (a call into JS each).
        let now = |first: Option<f64>| if first.is_none() { js_sys::Date::now() } else { 0.0 };
        self.metrics.on_bytes(chunk.len(), now(self.metrics.time_to_first_byte_ms));
        let mut sink = AttemptSink {
            driver: &mut self.driver,
            replay: &mut self.replay,
            new_retry: None,
            events: 0,
            overflow: None,
        };
        self.parser.feed(chunk, &mut sink);
        let AttemptSink { new_retry, events, overflow, .. } = sink;
        if let Some(limit) = overflow {
            return Some(Outcome::Failed(StreamError::MaxBuffer { limit }));
        }
        if let Some(ms) = new_retry {
            // "set the event stream's reconnection time to that integer"
            self.policy.set_base_delay_ms(ms);
        }
        if events > 0 {
            self.metrics.on_events(events, now(self.metrics.time_to_first_event_ms));
            self.policy.on_event(self.parser.last_event_id());
        } else {
            // A block without data still moves the last event ID.
            self.policy.set_last_event_id(self.parser.last_event_id());
        }
        match self.driver.end_chunk() {
            Err(thrown) => Some(Outcome::Thrown(thrown)),
            Ok(false) => Some(Outcome::Finished),
            Ok(true) => None,
        }
    }
}

enum Outcome {
    /// The server ended the body cleanly.
    Ended,
    /// Nothing more to do: 204, or the driver stopped reading.
    Finished,
    Aborted,
    Failed(StreamError),
    /// A callback threw this.
    Thrown(JsValue),
}

/// The parser's sink during an attempt: events and `retry:` go to the driver,
/// and are counted for the policy and the metrics; an overflow becomes an error;
/// events a resumed stream sends again are dropped ([`Replay`]).
struct AttemptSink<'a, D> {
    driver: &'a mut D,
    replay: &'a mut Replay,
    new_retry: Option<u64>,
    events: u64,
    overflow: Option<usize>,
}

impl<D: Driver> Sink for AttemptSink<'_, D> {
    fn on_event(&mut self, event: Event<'_>) {
        if !self.replay.admit(event.id, event.has_id) {
            return;
        }
        self.events += 1;
        self.driver.on_event(event);
    }
    fn on_retry(&mut self, ms: u64) {
        self.new_retry = Some(ms);
        self.driver.on_retry(ms);
    }
    fn on_error(&mut self, error: ParseError) {
        if let ParseError::MaxBufferSize { limit } = error {
            self.overflow.get_or_insert(limit);
        }
    }
}

/// One request and its response body.
struct Attempt<'a, D> {
    session: &'a Shared<D>,
    config: &'a Config,
    signal: &'a Option<web_sys::AbortSignal>,
}

impl<D: Driver + 'static> Attempt<'_, D> {
    /// One attempt: fetch, check the response, read its body.
    async fn connect(&mut self, input: &JsValue, init: &JsValue) -> Outcome {
        // Our own controller per attempt: it cancels this request on abort and on
        // an idle timeout, and is aborted when this function returns for any reason.
        let controller = match web_sys::AbortController::new() {
            Ok(c) => AbortOnDrop(c),
            Err(e) => return Outcome::Failed(StreamError::Network { message: js_message(&e) }),
        };
        let response = match self.fetch(input, init, &controller.0.signal()).await {
            Ok(response) => response,
            Err(outcome) => return outcome,
        };
        if let Err(outcome) = self.check(&response).await {
            return outcome;
        }
        self.read(&response).await
    }

    /// Sends the request (the caller's, plus our headers and signal).
    async fn fetch(
        &mut self,
        input: &JsValue,
        init: &JsValue,
        our_signal: &web_sys::AbortSignal,
    ) -> Result<web_sys::Response, Outcome> {
        let signal = self.signal;
        // `headers` may be a function, called before every attempt, so that a
        // token that expired between attempts is refreshed.
        let headers = match current_headers(init) {
            Ok(Some(promise)) => match race(JsFuture::from(promise), abort_of(signal)).await {
                Either::Right(()) => return Err(Outcome::Aborted),
                Either::Left(Err(thrown)) => return Err(Outcome::Thrown(thrown)),
                Either::Left(Ok(headers)) => Some(headers),
            },
            Ok(None) => None,
            Err(thrown) => return Err(Outcome::Thrown(thrown)),
        };
        let (request, request_init) = {
            let policy = &self.session.borrow().policy;
            build_request(input, init, headers.as_ref(), policy, our_signal).map_err(Outcome::Thrown)?
        };
        let fetch = self.session.borrow().driver.fetch();
        let fetched = match fetch.call2(&JsValue::UNDEFINED, &request, &request_init) {
            Ok(promise) => JsFuture::from(js_sys::Promise::resolve(&promise)),
            Err(e) => return Err(Outcome::Failed(StreamError::Network { message: js_message(&e) })),
        };
        // The idle timeout covers the wait for the headers too: a server that
        // accepts the connection and never answers is as silent as one that
        // stops mid-body. Our controller cancels the request when we return.
        let headers_or_silence = async {
            match self.config.idle_timeout_ms {
                Some(ms) => match race(fetched, Sleep::new(ms)).await {
                    Either::Left(fetched) => Ok(fetched),
                    Either::Right(()) => Err(StreamError::IdleTimeout { timeout_ms: ms as u64 }),
                },
                None => Ok(fetched.await),
            }
        };
        let response = match race(headers_or_silence, abort_of(signal)).await {
            Either::Right(()) => return Err(Outcome::Aborted),
            Either::Left(Err(silence)) => return Err(Outcome::Failed(silence)),
            Either::Left(Ok(Err(e))) => {
                return Err(Outcome::Failed(StreamError::Network { message: js_message(&e) }))
            }
            Either::Left(Ok(Ok(response))) => response.dyn_into::<web_sys::Response>().map_err(|_| {
                Outcome::Thrown(js_sys::TypeError::new("fetch did not return a Response").into())
            })?,
        };
        // A fetch that settles in the turn of the abort wins the race above.
        if is_aborted(signal) {
            return Err(Outcome::Aborted);
        }
        self.session.borrow_mut().metrics.on_headers(js_sys::Date::now());
        Ok(response)
    }

    /// Whether the response opens the stream: the caller's `onopen`, which
    /// replaces our check as in @microsoft/fetch-event-source, or the default
    /// check. Then the driver hears that it opened.
    async fn check(&mut self, response: &web_sys::Response) -> Result<(), Outcome> {
        let signal = self.signal;
        let opened = self.session.borrow_mut().driver.on_open(response);
        match opened {
            Some(Err(thrown)) => return Err(Outcome::Thrown(thrown)),
            Some(Ok(result)) => {
                if let Some(promise) = result.dyn_ref::<js_sys::Promise>() {
                    match race(JsFuture::from(promise.clone()), abort_of(signal)).await {
                        Either::Right(()) => return Err(Outcome::Aborted),
                        Either::Left(Err(thrown)) => return Err(Outcome::Thrown(thrown)),
                        Either::Left(Ok(_)) => {}
                    }
                }
                // onopen may have aborted (synchronously, or before its promise
                // settled in the same turn): no onstream or onmetrics then.
                if is_aborted(signal) {
                    return Err(Outcome::Aborted);
                }
            }
            None => match default_check(response) {
                Verdict::Open => {}
                Verdict::Done => return Err(Outcome::Finished),
                Verdict::Error(error) => {
                    let excerpt = read_excerpt(response, signal).await;
                    return Err(Outcome::Failed(error.with_body(&excerpt)));
                }
            },
        }
        self.session.borrow_mut().driver.on_stream_open(response).map_err(Outcome::Thrown)?;
        if is_aborted(signal) {
            return Err(Outcome::Aborted);
        }
        let s = &mut *self.session.borrow_mut();
        s.driver.on_metrics(&s.metrics);
        Ok(())
    }

    /// Reads the body through wasm-streams to its end, an error, an idle
    /// timeout or the abort. Each chunk is parsed and delivered inside its
    /// read's promise reaction ([`BodyPump`]); this future wakes once, at the end.
    async fn read(&mut self, response: &web_sys::Response) -> Outcome {
        let signal = self.signal;
        let Some(body) = response.body() else {
            return Outcome::Ended;
        };
        let mut stream = wasm_streams::ReadableStream::from_raw(body.unchecked_into());
        // Holds the body's lock until this function returns (after the pump).
        let reader = match stream.try_get_reader() {
            Ok(reader) => reader,
            Err(e) => return Outcome::Failed(StreamError::Network { message: js_message(&e) }),
        };
        {
            let s = &mut *self.session.borrow_mut();
            s.parser.reset();
            s.parser.set_last_event_id(s.policy.last_event_id());
        }
        let session = Rc::clone(self.session);
        let chunk_signal = signal.clone();
        // Why the chunk callback stopped the reads.
        let stopped = Rc::new(Cell::new(None));
        let stopped_by = Rc::clone(&stopped);
        // The buffer only grows (zero-filled then, never per read): each chunk
        // is copied over its start.
        let mut buffer: Vec<u8> = Vec::new();
        let on_chunk = move |bytes: &Uint8Array| {
            // The abort may have come since the read settled: nothing is
            // delivered after it.
            let outcome = if is_aborted(&chunk_signal) {
                Some(Outcome::Aborted)
            } else {
                let len = bytes.length() as usize;
                if buffer.len() < len {
                    buffer.resize(len, 0);
                }
                bytes.copy_to(&mut buffer[..len]);
                let outcome = session.borrow_mut().feed(&buffer[..len]);
                outcome.or_else(|| is_aborted(&chunk_signal).then_some(Outcome::Aborted))
            };
            match outcome {
                None => true,
                stop => {
                    stopped_by.set(stop);
                    false
                }
            }
        };
        let idle_timeout = self.config.idle_timeout_ms;
        let (pump, end) = BodyPump::start(reader.as_raw().clone(), idle_timeout.is_some(), on_chunk);
        // One abort listener and at most one timer at a time for the whole
        // body, not one per chunk.
        let silence = async {
            let Some(ms) = idle_timeout else { return std::future::pending().await };
            loop {
                let idle = pump.idle_for();
                if idle >= ms {
                    return StreamError::IdleTimeout { timeout_ms: ms as u64 };
                }
                Sleep::new(ms - idle).await;
            }
        };
        let outcome = match race(race(end, silence), abort_of(signal)).await {
            Either::Right(()) => Outcome::Aborted,
            Either::Left(Either::Right(silence)) => Outcome::Failed(silence),
            Either::Left(Either::Left(BodyEnd::Stopped)) => stopped.take().unwrap_or(Outcome::Aborted),
            Either::Left(Either::Left(BodyEnd::Failed(e))) => {
                Outcome::Failed(StreamError::Network { message: js_message(&e) })
            }
            Either::Left(Either::Left(BodyEnd::Done)) => {
                self.session.borrow_mut().parser.reset();
                Outcome::Ended
            }
        };
        drop(pump);
        drop(reader);
        outcome
    }
}

/// The request's method: the init's, else the `Request`'s, else GET.
fn request_method(input: &JsValue, init: &JsValue) -> String {
    let from_init = if init.is_object() { Reflect::get(init, &"method".into()).ok() } else { None };
    from_init
        .and_then(|m| m.as_string())
        .or_else(|| input.dyn_ref::<web_sys::Request>().map(web_sys::Request::method))
        .unwrap_or_else(|| "GET".to_owned())
}

/// The default check of a response: status 200 and a `text/event-stream` media type.
fn default_check(response: &web_sys::Response) -> Verdict {
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let content_type = header("content-type");
    let retry_after = header("retry-after");
    let date = header("date");
    let status_text = response.status_text();
    let head = ResponseHead::new(response.status(), content_type.as_deref())
        .status_text(&status_text)
        .retry_after(retry_after.as_deref(), js_sys::Date::now())
        .date(date.as_deref());
    classify(&head)
}

/// When the init's `headers` is a function: what it returns, as a promise
/// (a throw is the attempt's error). `None` for any other `headers`.
fn current_headers(init: &JsValue) -> Result<Option<js_sys::Promise>, JsValue> {
    if !init.is_object() {
        return Ok(None);
    }
    let Some(function) = Reflect::get(init, &"headers".into())?.dyn_into::<Function>().ok() else {
        return Ok(None);
    };
    let value = function.call0(&JsValue::UNDEFINED)?;
    Ok(Some(js_sys::Promise::resolve(&value)))
}

/// The request for one attempt: the caller's input and init (with `headers`
/// when its function gave them), plus `Accept`, `Last-Event-ID`, our abort
/// signal and `cache: no-store` unless set.
fn build_request(
    input: &JsValue,
    init: &JsValue,
    headers: Option<&JsValue>,
    policy: &ReconnectPolicy,
    signal: &web_sys::AbortSignal,
) -> Result<(JsValue, JsValue), JsValue> {
    // A Request's body can be read once: fetch a fresh clone every attempt.
    let input = match input.dyn_ref::<web_sys::Request>() {
        Some(request) => request.clone()?.into(),
        None => input.clone(),
    };
    let request_init = Object::new();
    if init.is_object() {
        Object::assign(&request_init, init.unchecked_ref());
    }
    let headers_source = match headers {
        Some(headers) => headers.clone(),
        None => Reflect::get(&request_init, &"headers".into())?,
    };
    let headers = if !headers_source.is_undefined() && !headers_source.is_null() {
        web_sys::Headers::new_with_headers(headers_source.unchecked_ref())?
    } else if let Some(request) = input.dyn_ref::<web_sys::Request>() {
        web_sys::Headers::new_with_headers(&request.headers())?
    } else {
        web_sys::Headers::new()?
    };
    let has_accept = headers.has("accept")?;
    let names: &[&str] = if has_accept { &["accept"] } else { &[] };
    for (name, value) in policy.request_headers(names.iter().copied()) {
        headers.set(name, &value)?;
    }
    Reflect::set(&request_init, &"headers".into(), &headers)?;
    Reflect::set(&request_init, &"signal".into(), signal)?;
    // "the request's cache mode [is] no-store" (WHATWG HTML, EventSource).
    if Reflect::get(&request_init, &"cache".into())?.is_undefined() {
        Reflect::set(&request_init, &"cache".into(), &"no-store".into())?;
    }
    Ok((input, request_init.into()))
}

/// Up to 1 KiB of an error response's body, for the error's `body` field.
async fn read_excerpt(response: &web_sys::Response, signal: &Option<web_sys::AbortSignal>) -> Vec<u8> {
    let Some(body) = response.body() else { return Vec::new() };
    let mut stream = wasm_streams::ReadableStream::from_raw(body.unchecked_into());
    let Ok(reader) = stream.try_get_reader() else { return Vec::new() };
    let excerpt = Rc::new(RefCell::new(Vec::new()));
    let into = Rc::clone(&excerpt);
    let (pump, end) = BodyPump::start(reader.as_raw().clone(), false, move |chunk: &Uint8Array| {
        let mut excerpt = into.borrow_mut();
        excerpt.extend_from_slice(&chunk.to_vec());
        excerpt.len() < crate::reconnect::BODY_EXCERPT_LIMIT
    });
    // A body that never ends must not hold the error back for long.
    let _ = race(race(end, abort_of(signal)), Sleep::new(1000.0)).await;
    drop(pump);
    drop(reader);
    excerpt.take()
}

/// The `message` of a thrown JS value, or the value itself when it is a string.
fn js_message(value: &JsValue) -> String {
    Reflect::get(value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
