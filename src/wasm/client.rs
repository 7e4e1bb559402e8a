//! The `fetch()` client behind `fetchEventSource`: requests, body reading through
//! wasm-streams, timers and abort. All decisions (retry or stop, which delay,
//! which headers) come from the sans-IO [`ReconnectPolicy`]; all parsing from
//! the sans-IO [`Parser`]. Events reach JS one batch per chunk, in the format of
//! [`super::parser`], through the `deliver` hook of `pkg-template/client.js`.
//!
//! Everything JS is taken from the global scope, so the same code runs in a
//! window, a worker and Node. Every JS resource (timer, listener, reader) is
//! owned by a Rust value whose `Drop` releases it, so leaving this function on
//! any path (abort included) leaves nothing pending.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_channel::oneshot;
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::parser::Batch;
use crate::parser::{Event, ParseError, Parser, ParserOptions, Sink};
use crate::reconnect::{
    classify, Decision, Metrics, Override, ReconnectOptions, ReconnectPolicy, ResponseHead, StreamError,
    Verdict,
};

#[wasm_bindgen]
extern "C" {
    /// What `pkg-template/client.js` hands over: the caller's callbacks wrapped
    /// so that Rust never builds a JS event object itself.
    pub type Hooks;

    /// The fetch function (the caller's `fetch` option, or the global one).
    #[wasm_bindgen(method, getter, structural)]
    fn fetch(this: &Hooks) -> Function;
    /// The caller's `AbortSignal`, if any.
    #[wasm_bindgen(method, getter, structural)]
    fn signal(this: &Hooks) -> Option<web_sys::AbortSignal>;
    /// Options for the policy and the client, read once.
    #[wasm_bindgen(method, getter, structural)]
    fn options(this: &Hooks) -> JsValue;
    /// Decodes one batch and calls `onmessage` per event; throws what it threw.
    #[wasm_bindgen(method, structural, catch)]
    fn deliver(this: &Hooks, records: Vec<u32>, ascii: JsValue, wide: JsValue) -> Result<(), JsValue>;
    /// The caller's `onopen(response)`: undefined, or a promise to await. Absent:
    /// the default checks of status and content type apply.
    #[wasm_bindgen(method, structural, catch, js_name = onopen)]
    fn on_open(this: &Hooks, response: &web_sys::Response) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, js_name = hasOnopen)]
    fn has_on_open(this: &Hooks) -> bool;
    /// The caller's `onerror(err)`: a number of ms, undefined, or it throws.
    #[wasm_bindgen(method, structural, catch, js_name = onerror)]
    fn on_error(this: &Hooks, error: &JsValue) -> Result<JsValue, JsValue>;
    /// The caller's `onclose()`; a throw is handled like an error.
    #[wasm_bindgen(method, structural, catch, js_name = onclose)]
    fn on_close(this: &Hooks) -> Result<(), JsValue>;
    /// Called with a metrics snapshot after each open, reconnect and at the end.
    #[wasm_bindgen(method, structural, js_name = onmetrics)]
    fn on_metrics(this: &Hooks, metrics: &JsValue);
    /// Builds the JS error (`FetchEventSourceError`) for a typed error.
    #[wasm_bindgen(method, structural, js_name = makeError)]
    fn make_error(this: &Hooks, kind: &str, message: &str, fields: &JsValue) -> JsValue;
}

/// Runs one `fetchEventSource` call to its end. Resolves when the server ends
/// the stream (by default), on 204, or on abort; rejects with the typed error
/// the policy stops on, or with what a callback threw.
#[wasm_bindgen(js_name = runEventSource)]
pub async fn run_event_source(input: JsValue, init: JsValue, hooks: Hooks) -> Result<(), JsValue> {
    let config = Config::read(&hooks.options());
    let signal = hooks.signal();
    let aborted = || signal.as_ref().is_some_and(|s| s.aborted());
    if aborted() {
        return Ok(());
    }
    let now = || js_sys::Date::now();
    let mut policy =
        ReconnectPolicy::new(config.policy.clone(), now(), (js_sys::Math::random() * 2f64.powi(53)) as u64);
    let mut metrics = Metrics::new(now());
    let mut parser = Parser::with_options(ParserOptions::default().max_buffer_size(config.max_buffer_size));
    let mut sink = ClientSink { batch: Batch::default(), new_retry: None, events: 0, overflow: None };
    let mut attempt = 0u32;

    loop {
        if attempt > 0 {
            metrics.on_reconnect();
            hooks.on_metrics(&metrics_to_js(&metrics));
            // A hidden tab does not reconnect until it is visible again (unless
            // openWhenHidden), so a background tab does not re-send a costly POST.
            if !config.open_when_hidden && page_is_hidden() {
                match race(wait_until_visible(), abort_of(&signal)).await {
                    Either::Left(()) => {}
                    Either::Right(()) => return Ok(()),
                }
            }
        }
        attempt += 1;
        if aborted() {
            return Ok(());
        }

        let outcome = connect(
            &input,
            &init,
            &hooks,
            &config,
            &signal,
            &mut policy,
            &mut parser,
            &mut sink,
            &mut metrics,
        )
        .await;
        if aborted() {
            return Ok(());
        }
        let failure = match outcome {
            Outcome::Aborted => return Ok(()),
            Outcome::Finished => return Ok(()),
            Outcome::Ended => match hooks.on_close() {
                Ok(()) => match policy.on_end(now()) {
                    Decision::Stop { error: None } => {
                        hooks.on_metrics(&metrics_to_js(&metrics));
                        return Ok(());
                    }
                    decision => Failure::Decided(decision),
                },
                Err(thrown) => Failure::Thrown(thrown),
            },
            Outcome::Failed(error) => Failure::Typed(error),
            Outcome::Thrown(thrown) => Failure::Thrown(thrown),
        };
        if aborted() {
            return Ok(());
        }
        let decision = match failure {
            Failure::Decided(decision) => decision,
            Failure::Typed(error) => {
                let js_error = error_to_js(&hooks, &error);
                match ask_on_error(&hooks, &js_error) {
                    Ok(choice) => policy.on_error(error, choice, now()),
                    Err(thrown) => return Err(thrown),
                }
            }
            Failure::Thrown(thrown) => {
                // A callback threw: the caller's onerror sees what it threw; by
                // default that is retried like a network error.
                let message = js_message(&thrown);
                match ask_on_error(&hooks, &thrown) {
                    Ok(choice) => policy.on_error(StreamError::Network { message }, choice, now()),
                    Err(thrown) => return Err(thrown),
                }
            }
        };
        if aborted() {
            return Ok(());
        }
        match decision {
            Decision::Retry { delay_ms, .. } => {
                if let Either::Right(()) = race(Sleep::new(delay_ms as f64), abort_of(&signal)).await {
                    return Ok(());
                }
            }
            Decision::Stop { error } => {
                hooks.on_metrics(&metrics_to_js(&metrics));
                return match error {
                    Some(error) => Err(error_to_js(&hooks, &error)),
                    None => Ok(()),
                };
            }
        }
    }
}

/// Client settings from the JS options object.
struct Config {
    policy: ReconnectOptions,
    max_buffer_size: Option<usize>,
    idle_timeout_ms: Option<f64>,
    open_when_hidden: bool,
}

impl Config {
    fn read(options: &JsValue) -> Config {
        let number = |name: &str| {
            Reflect::get(options, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_f64())
                .filter(|n| *n >= 0.0)
        };
        let flag = |name: &str| {
            Reflect::get(options, &JsValue::from_str(name)).ok().and_then(|v| v.as_bool()).unwrap_or(false)
        };
        let mut policy = ReconnectOptions::default();
        if let Some(ms) = number("retryDelayMs") {
            policy = policy.base_delay_ms(ms as u64);
        }
        if let Some(m) = number("backoffMultiplier") {
            policy = policy.multiplier(m);
        }
        if let Some(ms) = number("maxDelayMs") {
            policy = policy.max_delay_ms(ms as u64);
        }
        if let Some(j) = number("jitter") {
            policy = policy.jitter(j);
        }
        policy = policy
            .max_retries(number("maxRetries").map(|n| n as u32))
            .max_elapsed_ms(number("maxElapsedMs").map(|n| n as u64))
            .reconnect_on_end(flag("reconnectOnEnd"));
        Config {
            policy,
            max_buffer_size: number("maxBufferSize").filter(|n| *n >= 1.0).map(|n| n as usize),
            idle_timeout_ms: number("idleTimeoutMs").filter(|n| *n > 0.0),
            open_when_hidden: flag("openWhenHidden"),
        }
    }
}

enum Outcome {
    /// The server ended the body cleanly.
    Ended,
    /// Nothing more to do (204, or the caller's onopen accepted and the body ended).
    Finished,
    Aborted,
    Failed(StreamError),
    /// A callback threw this.
    Thrown(JsValue),
}

enum Failure {
    Decided(Decision),
    Typed(StreamError),
    Thrown(JsValue),
}

/// The parser's sink for the client: events go to the batch for JS, a `retry:`
/// field also to the policy, an overflow becomes a stream error.
struct ClientSink {
    batch: Batch,
    new_retry: Option<u64>,
    events: u64,
    overflow: Option<usize>,
}

impl Sink for ClientSink {
    fn on_event(&mut self, event: Event<'_>) {
        self.events += 1;
        self.batch.on_event(event);
    }
    fn on_retry(&mut self, ms: u64) {
        self.new_retry = Some(ms);
        self.batch.on_retry(ms);
    }
    fn on_error(&mut self, error: ParseError) {
        if let ParseError::MaxBufferSize { limit } = error {
            self.overflow.get_or_insert(limit);
        }
    }
}

/// One request and its response body.
#[allow(clippy::too_many_arguments)]
async fn connect(
    input: &JsValue,
    init: &JsValue,
    hooks: &Hooks,
    config: &Config,
    signal: &Option<web_sys::AbortSignal>,
    policy: &mut ReconnectPolicy,
    parser: &mut Parser,
    sink: &mut ClientSink,
    metrics: &mut Metrics,
) -> Outcome {
    let now = js_sys::Date::now;
    // Our own controller per attempt: it cancels this request on abort and on an
    // idle timeout, and is aborted when this function returns for any reason.
    let controller = match web_sys::AbortController::new() {
        Ok(c) => AbortOnDrop(c),
        Err(e) => return Outcome::Failed(StreamError::Network { message: js_message(&e) }),
    };
    let (request, request_init) = match build_request(input, init, policy, &controller.0.signal()) {
        Ok(pair) => pair,
        Err(e) => return Outcome::Thrown(e),
    };
    let fetched = match hooks.fetch().call2(&JsValue::UNDEFINED, &request, &request_init) {
        Ok(promise) => JsFuture::from(js_sys::Promise::resolve(&promise)),
        Err(e) => return Outcome::Failed(StreamError::Network { message: js_message(&e) }),
    };
    let response: web_sys::Response = match race(fetched, abort_of(signal)).await {
        Either::Right(()) => return Outcome::Aborted,
        Either::Left(Err(e)) => return Outcome::Failed(StreamError::Network { message: js_message(&e) }),
        Either::Left(Ok(response)) => match response.dyn_into() {
            Ok(response) => response,
            Err(_) => {
                return Outcome::Thrown(JsValue::from(js_sys::TypeError::new(
                    "fetch did not return a Response",
                )))
            }
        },
    };
    metrics.on_headers(now());

    if hooks.has_on_open() {
        // The caller's onopen replaces our checks, as in @microsoft/fetch-event-source.
        match hooks.on_open(&response) {
            Err(thrown) => return Outcome::Thrown(thrown),
            Ok(result) => {
                if let Some(promise) = result.dyn_ref::<js_sys::Promise>() {
                    match race(JsFuture::from(promise.clone()), abort_of(signal)).await {
                        Either::Right(()) => return Outcome::Aborted,
                        Either::Left(Err(thrown)) => return Outcome::Thrown(thrown),
                        Either::Left(Ok(_)) => {}
                    }
                }
            }
        }
    } else {
        let header = |name: &str| response.headers().get(name).ok().flatten();
        let content_type = header("content-type");
        let retry_after = header("retry-after");
        let date = header("date");
        let status_text = response.status_text();
        let head = ResponseHead::new(response.status(), content_type.as_deref())
            .status_text(&status_text)
            .retry_after(retry_after.as_deref(), now())
            .date(date.as_deref());
        match classify(&head) {
            Verdict::Open => {}
            Verdict::Done => return Outcome::Finished,
            Verdict::Error(error) => {
                let excerpt = read_excerpt(&response, signal).await;
                return Outcome::Failed(error.with_body(&excerpt));
            }
        }
    }
    hooks.on_metrics(&metrics_to_js(metrics));

    let Some(body) = response.body() else {
        return Outcome::Ended;
    };
    let mut chunks = wasm_streams::ReadableStream::from_raw(body.unchecked_into()).into_stream();
    parser.reset();
    parser.set_last_event_id(policy.last_event_id());
    let mut buffer = Vec::new();
    loop {
        let next = chunks.next();
        let step = match config.idle_timeout_ms {
            Some(ms) => match race(race(next, abort_of(signal)), Sleep::new(ms)).await {
                Either::Left(step) => step,
                Either::Right(()) => {
                    return Outcome::Failed(StreamError::IdleTimeout { timeout_ms: ms as u64 });
                }
            },
            None => race(next, abort_of(signal)).await,
        };
        let chunk = match step {
            Either::Right(()) => return Outcome::Aborted,
            Either::Left(None) => {
                parser.reset();
                return Outcome::Ended;
            }
            Either::Left(Some(Err(e))) => {
                return Outcome::Failed(StreamError::Network { message: js_message(&e) });
            }
            Either::Left(Some(Ok(chunk))) => chunk,
        };
        let Ok(bytes) = chunk.dyn_into::<Uint8Array>() else { continue };
        buffer.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut buffer);
        metrics.on_bytes(buffer.len(), now());

        sink.batch.start();
        sink.events = 0;
        parser.feed(&buffer, sink);
        if let Some(limit) = sink.overflow.take() {
            return Outcome::Failed(StreamError::MaxBuffer { limit });
        }
        if let Some(ms) = sink.new_retry.take() {
            // "set the event stream's reconnection time to that integer"
            policy.set_base_delay_ms(ms);
        }
        if sink.events > 0 {
            metrics.on_events(sink.events, now());
            policy.on_event(parser.last_event_id());
        } else {
            // A block without data still moves the last event ID.
            policy.set_last_event_id(parser.last_event_id());
        }
        if !sink.batch.records.is_empty() {
            let records = std::mem::take(&mut sink.batch.records);
            let (ascii, wide) = sink.batch.texts();
            if let Err(thrown) = hooks.deliver(records, ascii, wide) {
                return Outcome::Thrown(thrown);
            }
            if signal.as_ref().is_some_and(|s| s.aborted()) {
                return Outcome::Aborted;
            }
        }
    }
}

/// The request for one attempt: the caller's input and init, plus `Accept`,
/// `Last-Event-ID`, our abort signal and `cache: no-store` unless set.
fn build_request(
    input: &JsValue,
    init: &JsValue,
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
    let headers_source = Reflect::get(&request_init, &"headers".into())?;
    let headers = if !headers_source.is_undefined() {
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
    let mut excerpt = Vec::new();
    let Some(body) = response.body() else { return excerpt };
    let mut chunks = wasm_streams::ReadableStream::from_raw(body.unchecked_into()).into_stream();
    while excerpt.len() < crate::reconnect::BODY_EXCERPT_LIMIT {
        // A body that never ends must not hold the error back for long.
        match race(race(chunks.next(), abort_of(signal)), Sleep::new(1000.0)).await {
            Either::Left(Either::Left(Some(Ok(chunk)))) => match chunk.dyn_into::<Uint8Array>() {
                Ok(bytes) => excerpt.extend_from_slice(&bytes.to_vec()),
                Err(_) => break,
            },
            _ => break,
        }
    }
    excerpt
}

fn ask_on_error(hooks: &Hooks, error: &JsValue) -> Result<Override, JsValue> {
    let answer = hooks.on_error(error)?;
    Ok(match answer.as_f64() {
        Some(ms) => Override::from_js_delay(ms),
        None => Override::Default,
    })
}

fn error_to_js(hooks: &Hooks, error: &StreamError) -> JsValue {
    let fields = Object::new();
    let set = |name: &str, value: JsValue| {
        let _ = Reflect::set(&fields, &name.into(), &value);
    };
    match error {
        StreamError::HttpStatus { status, status_text, content_type, body, retry_after_ms, .. } => {
            set("status", (*status).into());
            set("statusText", status_text.as_str().into());
            set("contentType", content_type.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL));
            set("body", body.as_str().into());
            if let Some(ms) = retry_after_ms {
                set("retryAfterMs", (*ms as f64).into());
            }
        }
        StreamError::ContentType { content_type, body, .. } => {
            set("status", 200.into());
            set("contentType", content_type.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL));
            set("body", body.as_str().into());
        }
        StreamError::IdleTimeout { timeout_ms, .. } => set("timeoutMs", (*timeout_ms as f64).into()),
        StreamError::MaxBuffer { limit, .. } => set("limit", (*limit as f64).into()),
        StreamError::MaxRetries { retries, last, .. } => {
            set("retries", (*retries).into());
            if let Some(last) = last {
                set("cause", error_to_js(hooks, last));
            }
        }
        StreamError::MaxElapsed { elapsed_ms, last, .. } => {
            set("elapsedMs", (*elapsed_ms as f64).into());
            if let Some(last) = last {
                set("cause", error_to_js(hooks, last));
            }
        }
        _ => {}
    }
    hooks.make_error(error.kind(), &error.to_string(), &fields)
}

fn metrics_to_js(metrics: &Metrics) -> JsValue {
    let object = Object::new();
    let set = |name: &str, value: Option<f64>| {
        let _ = Reflect::set(&object, &name.into(), &value.map(JsValue::from_f64).unwrap_or(JsValue::NULL));
    };
    set("timeToHeadersMs", metrics.time_to_headers_ms);
    set("timeToFirstByteMs", metrics.time_to_first_byte_ms);
    set("timeToFirstEventMs", metrics.time_to_first_event_ms);
    set("bytes", Some(metrics.bytes as f64));
    set("events", Some(metrics.events as f64));
    set("reconnects", Some(f64::from(metrics.reconnects)));
    object.into()
}

fn js_message(value: &JsValue) -> String {
    Reflect::get(value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Whether a `document` exists and is hidden. Workers and Node have none.
fn page_is_hidden() -> bool {
    let document = global("document");
    !document.is_undefined()
        && Reflect::get(&document, &"hidden".into()).ok().and_then(|h| h.as_bool()).unwrap_or(false)
}

/// Resolves when the page is visible again.
async fn wait_until_visible() {
    let document = global("document");
    while page_is_hidden() {
        Listener::once(&document, "visibilitychange").await;
    }
}

/// Resolves when `signal` aborts; never without one.
async fn abort_of(signal: &Option<web_sys::AbortSignal>) {
    match signal {
        Some(signal) if signal.aborted() => {}
        Some(signal) => Listener::once(signal, "abort").await,
        None => std::future::pending().await,
    }
}

/// The first of two futures to finish; the other is dropped (and so cleaned up).
async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    match select(Box::pin(a), Box::pin(b)).await {
        Either::Left((a, _)) => Either::Left(a),
        Either::Right((b, _)) => Either::Right(b),
    }
}

/// A JS function that completes this future the first time it is called.
struct Callback {
    done: oneshot::Receiver<()>,
    closure: Closure<dyn FnMut()>,
}

impl Callback {
    fn new() -> Callback {
        let (tx, done) = oneshot::channel();
        let mut tx = Some(tx);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
        });
        Callback { done, closure }
    }

    fn function(&self) -> &JsValue {
        self.closure.as_ref()
    }
}

impl Future for Callback {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

/// `setTimeout` from the global scope as a future; dropping it clears the timer.
struct Sleep {
    callback: Callback,
    id: JsValue,
}

impl Sleep {
    fn new(ms: f64) -> Sleep {
        let callback = Callback::new();
        let set_timeout: Function = global("setTimeout").unchecked_into();
        let id = set_timeout
            .call2(&JsValue::UNDEFINED, callback.function(), &JsValue::from_f64(ms.min(2_147_483_647.0)))
            .unwrap_or(JsValue::UNDEFINED);
        Sleep { callback, id }
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.callback).poll(cx)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        let clear: Function = global("clearTimeout").unchecked_into();
        let _ = clear.call1(&JsValue::UNDEFINED, &self.id);
    }
}

/// One event of an `EventTarget` as a future; dropping it removes the listener.
struct Listener {
    target: web_sys::EventTarget,
    kind: &'static str,
    callback: Callback,
}

impl Listener {
    fn once(target: &JsValue, kind: &'static str) -> Listener {
        let callback = Callback::new();
        let target: web_sys::EventTarget = target.clone().unchecked_into();
        let _ = target.add_event_listener_with_callback(kind, callback.function().unchecked_ref());
        Listener { target, kind, callback }
    }
}

impl Future for Listener {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.callback).poll(cx)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let function = self.callback.function().unchecked_ref();
        let _ = self.target.remove_event_listener_with_callback(self.kind, function);
    }
}

/// Aborts the attempt's own controller when the attempt ends, so the request
/// and its body never outlive it.
struct AbortOnDrop(web_sys::AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
