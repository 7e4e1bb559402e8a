//! The JS face of the client: `fetchEventSource` in `pkg-template/client.js`
//! wraps the caller's callbacks into [`Hooks`] and calls [`run_event_source`].
//! Events reach JS one batch per chunk, in the record format of
//! [`crate::wasm::parser`]; with the `delta` option they go straight into the
//! delta pipeline instead, with no JS object per event.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::{run, Config, Driver, Problem};
use crate::parser::{max_buffer_size_from_js, Event, Sink};
use crate::reconnect::{Metrics, Override, ReconnectOptions, StreamError};
use crate::wasm::parser::Batch;

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
    /// Decodes one batch and calls `onmessage` per event; throws what it threw.
    #[wasm_bindgen(method, structural, catch)]
    fn deliver(this: &Hooks, records: &[u32], ascii: JsValue, wide: &[u8]) -> Result<(), JsValue>;
    /// `deliver` for a batch with no non-ASCII text: no view of it is made
    /// (most LLM batches, one per read).
    #[wasm_bindgen(method, structural, catch, js_name = deliver)]
    fn deliver_ascii(this: &Hooks, records: &[u32], ascii: JsValue) -> Result<(), JsValue>;
    /// The caller's `onopen(response)`; what it returns (undefined, or a
    /// promise to await) is then read with `answer()`. Absent: the default
    /// checks of status and content type apply.
    #[wasm_bindgen(method, structural, catch, js_name = onopen)]
    fn on_open(this: &Hooks, response: &web_sys::Response) -> Result<(), JsValue>;
    #[wasm_bindgen(method, getter, structural, js_name = hasOnopen)]
    fn has_on_open(this: &Hooks) -> bool;
    /// With the delta option: whether the caller also wants `onmessage`.
    #[wasm_bindgen(method, getter, structural, js_name = hasOnmessage)]
    fn has_on_message(this: &Hooks) -> bool;
    /// The caller's `onerror(err)`: it throws, or what it returns (a number of
    /// ms, or undefined) is then read with `answer()`.
    #[wasm_bindgen(method, structural, catch, js_name = onerror)]
    fn on_error(this: &Hooks, error: &JsValue) -> Result<(), JsValue>;
    /// What the last `onopen` or `onerror` returned. Those two return nothing
    /// themselves because a `catch` import that returns a value leaks a slot
    /// of wasm-bindgen's reference table each time it throws (0.2.130: the
    /// slot made for the placeholder result is never freed), and a throwing
    /// onerror is how callers stop a stream.
    #[wasm_bindgen(method, structural)]
    fn answer(this: &Hooks) -> JsValue;
    /// The caller's `onclose()`; a throw is handled like an error.
    #[wasm_bindgen(method, structural, catch, js_name = onclose)]
    fn on_close(this: &Hooks) -> Result<(), JsValue>;
    /// The response opened the stream: `onstream(response)`.
    #[wasm_bindgen(method, structural, catch, js_name = onstream)]
    fn on_stream(this: &Hooks, response: &web_sys::Response) -> Result<(), JsValue>;
    /// The policy will retry: `onretry({ delayMs, retry, restart, error })`.
    #[wasm_bindgen(method, structural, catch, js_name = onretry)]
    fn on_retry_scheduled(this: &Hooks, info: &JsValue) -> Result<(), JsValue>;
    /// Called with a metrics snapshot after each open, reconnect and at the end.
    #[wasm_bindgen(method, structural, js_name = onmetrics)]
    fn on_metrics(this: &Hooks, metrics: &JsValue);
    /// Builds the JS error (`FetchEventSourceError`) for a typed error.
    #[wasm_bindgen(method, structural, js_name = makeError)]
    fn make_error(this: &Hooks, kind: &str, message: &str, fields: &JsValue) -> JsValue;
    /// With the delta option: the chunk's events are in the pipeline, with this
    /// status (see `src/wasm/delta.rs`). Returns whether to keep reading.
    #[wasm_bindgen(method, structural, catch, js_name = deltaFed)]
    fn delta_fed(this: &Hooks, status: u32) -> Result<bool, JsValue>;
}

/// Runs one `fetchEventSource` call to its end. Resolves when the server ends
/// the stream (by default), on 204, or on abort; rejects with the typed error
/// the policy stops on, or with what a callback threw.
#[wasm_bindgen(js_name = runEventSource)]
pub async fn run_event_source(input: JsValue, init: JsValue, hooks: Hooks) -> Result<(), JsValue> {
    start(input, init, hooks, None).await
}

/// [`run_event_source`] with the `delta` option: every event's text goes into
/// the pipeline behind `link` (a `createDeltaStream` of `client.js`).
#[cfg(feature = "delta")]
#[wasm_bindgen(js_name = runEventSourceWithDelta)]
pub async fn run_event_source_with_delta(
    input: JsValue,
    init: JsValue,
    hooks: Hooks,
    link: crate::wasm::delta::DeltaLink,
) -> Result<(), JsValue> {
    start(input, init, hooks, Some(link)).await
}

#[cfg(feature = "delta")]
type Link = crate::wasm::delta::DeltaLink;
#[cfg(not(feature = "delta"))]
type Link = std::convert::Infallible;

async fn start(input: JsValue, init: JsValue, hooks: Hooks, delta: Option<Link>) -> Result<(), JsValue> {
    let config = read_config(init.unchecked_ref());
    let init = request_init(&init);
    let signal = hooks.signal();
    let batch_events = delta.is_none() || hooks.has_on_message();
    let driver = JsDriver {
        hooks,
        batch: Batch::default(),
        batch_events,
        delta,
        delta_status: None,
        last_error: None,
    };
    run(driver, &input, &init, &config, &signal).await
}

/// Declares the options of `fetchEventSource` that are ours, not fetch's: one
/// getter each on the caller's init object, and the list of their names, which
/// are taken out of the `RequestInit` that goes to fetch. The names are the ones
/// `index.d.ts` types.
macro_rules! client_options {
    ($($getter:ident = $name:literal),* $(,)?) => {
        #[wasm_bindgen]
        extern "C" {
            /// The caller's init object, read for our options.
            pub type ClientOptions;
            $(
                #[wasm_bindgen(method, getter, structural, js_name = $name)]
                fn $getter(this: &ClientOptions) -> JsValue;
            )*
        }

        /// The names of our options, in the init object.
        const OPTION_NAMES: &[&str] = &[$($name),*];
    };
}

client_options! {
    retry_delay_ms = "retryDelayMs",
    backoff_multiplier = "backoffMultiplier",
    max_delay_ms = "maxDelayMs",
    jitter = "jitter",
    max_retries = "maxRetries",
    max_elapsed_ms = "maxElapsedMs",
    reconnect_on_end = "reconnectOnEnd",
    retry_on_content_type = "retryOnContentType",
    restart_without_id = "restartWithoutId",
    idle_timeout_ms = "idleTimeoutMs",
    max_buffer_size = "maxBufferSize",
    open_when_hidden = "openWhenHidden",
}

/// The init without our options: what fetch gets.
fn request_init(init: &JsValue) -> JsValue {
    if !init.is_object() {
        return init.clone();
    }
    let copy = Object::assign(&Object::new(), init.unchecked_ref());
    for name in OPTION_NAMES {
        let _ = Reflect::delete_property(&copy, &JsValue::from_str(name));
    }
    copy.into()
}

/// Our settings, from the caller's init object.
fn read_config(options: &ClientOptions) -> Config {
    let number = |v: JsValue| v.as_f64().filter(|n| *n >= 0.0);
    let flag = |v: JsValue| v.as_bool().unwrap_or(false);
    let mut policy = ReconnectOptions::default();
    if let Some(ms) = number(options.retry_delay_ms()) {
        policy = policy.base_delay_ms(ms as u64);
    }
    if let Some(m) = number(options.backoff_multiplier()) {
        policy = policy.multiplier(m);
    }
    if let Some(ms) = number(options.max_delay_ms()) {
        policy = policy.max_delay_ms(ms as u64);
    }
    if let Some(j) = number(options.jitter()) {
        policy = policy.jitter(j);
    }
    policy = policy
        .max_retries(number(options.max_retries()).map(|n| n as u32))
        .max_elapsed_ms(number(options.max_elapsed_ms()).map(|n| n as u64))
        .reconnect_on_end(flag(options.reconnect_on_end()))
        .retry_on_content_type(flag(options.retry_on_content_type()))
        .restart_without_id(flag(options.restart_without_id()));
    Config {
        policy,
        max_buffer_size: max_buffer_size_from_js(options.max_buffer_size().as_f64()),
        idle_timeout_ms: number(options.idle_timeout_ms()).filter(|n| *n > 0.0),
        open_when_hidden: flag(options.open_when_hidden()),
    }
}

struct JsDriver {
    hooks: Hooks,
    batch: Batch,
    /// Events go to `onmessage` (always, unless the delta option takes them
    /// and there is no `onmessage`).
    batch_events: bool,
    delta: Option<Link>,
    /// The pipeline's status after this chunk's events, if any went in.
    delta_status: Option<u32>,
    /// The error `onerror` saw last, for `onretry`.
    last_error: Option<JsValue>,
}

impl Driver for JsDriver {
    type Error = JsValue;

    fn fetch(&self) -> Function {
        self.hooks.fetch()
    }

    fn on_open(&mut self, response: &web_sys::Response) -> Option<Result<JsValue, JsValue>> {
        self.hooks.has_on_open().then(|| self.hooks.on_open(response).map(|()| self.hooks.answer()))
    }

    fn on_event(&mut self, event: Event<'_>) {
        #[cfg(feature = "delta")]
        if let Some(link) = &self.delta {
            self.delta_status = Some(link.push_event(event.event, event.data));
        }
        if self.batch_events {
            self.batch.on_event(event);
        }
    }

    fn on_retry(&mut self, ms: u64) {
        if self.batch_events {
            self.batch.on_retry(ms);
        }
    }

    fn end_chunk(&mut self) -> Result<bool, JsValue> {
        if !self.batch.records.is_empty() {
            let (ascii, wide) = self.batch.texts();
            // JS gets views of the records and of the non-ASCII text's bytes,
            // not copies: it copies the records into an array of its own and
            // decodes the text (client.js), before any other call into wasm.
            let delivered = if wide.is_empty() {
                self.hooks.deliver_ascii(&self.batch.records, ascii)
            } else {
                self.hooks.deliver(&self.batch.records, ascii, wide)
            };
            self.batch.start();
            delivered?;
        }
        match self.delta_status.take() {
            Some(status) => self.hooks.delta_fed(status),
            None => Ok(true),
        }
    }

    fn on_error(&mut self, problem: Problem<'_>) -> Result<Override, JsValue> {
        let error = match problem {
            Problem::Typed(error) => self.error_to_js(error),
            Problem::Thrown(thrown) => thrown.clone(),
        };
        self.hooks.on_error(&error)?;
        let answer = self.hooks.answer();
        self.last_error = Some(error);
        Ok(match answer.as_f64() {
            Some(ms) => Override::from_js_delay(ms),
            None => Override::Default,
        })
    }

    fn on_close(&mut self) -> Result<(), JsValue> {
        self.hooks.on_close()
    }

    fn on_metrics(&mut self, metrics: &Metrics) {
        self.hooks.on_metrics(&metrics_to_js(metrics));
    }

    fn on_stream_open(&mut self, response: &web_sys::Response) -> Result<(), JsValue> {
        self.hooks.on_stream(response)
    }

    fn on_retry_scheduled(&mut self, delay_ms: u64, retry: u32, restart: bool) -> Result<(), JsValue> {
        let info = Object::new();
        let set = |name: &str, value: JsValue| {
            let _ = Reflect::set(&info, &name.into(), &value);
        };
        set("delayMs", (delay_ms as f64).into());
        set("retry", retry.into());
        set("restart", restart.into());
        set("error", self.last_error.take().unwrap_or(JsValue::NULL));
        self.hooks.on_retry_scheduled(&info)
    }

    fn on_restart(&mut self) {
        #[cfg(feature = "delta")]
        if let Some(link) = &self.delta {
            link.restart();
        }
    }

    fn fail(&mut self, error: StreamError) -> JsValue {
        self.error_to_js(&error)
    }
}

impl JsDriver {
    /// The typed error as a `FetchEventSourceError` with its fields.
    fn error_to_js(&self, error: &StreamError) -> JsValue {
        let fields = Object::new();
        let set = |name: &str, value: JsValue| {
            let _ = Reflect::set(&fields, &name.into(), &value);
        };
        let text = |s: &Option<String>| s.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL);
        match error {
            StreamError::HttpStatus { status, status_text, content_type, body, retry_after_ms, .. } => {
                set("status", (*status).into());
                set("statusText", status_text.as_str().into());
                set("contentType", text(content_type));
                set("body", body.as_str().into());
                if let Some(ms) = retry_after_ms {
                    set("retryAfterMs", (*ms as f64).into());
                }
            }
            StreamError::ContentType { content_type, body, .. } => {
                set("status", 200.into());
                set("contentType", text(content_type));
                set("body", body.as_str().into());
            }
            StreamError::IdleTimeout { timeout_ms, .. } => set("timeoutMs", (*timeout_ms as f64).into()),
            StreamError::MaxBuffer { limit, .. } => set("limit", (*limit as f64).into()),
            StreamError::MaxRetries { retries, last, .. } => {
                set("retries", (*retries).into());
                if let Some(last) = last {
                    set("cause", self.error_to_js(last));
                }
            }
            StreamError::Unresumable { last } => {
                set("resumable", false.into());
                set("cause", self.error_to_js(last));
            }
            StreamError::MaxElapsed { elapsed_ms, last, .. } => {
                set("elapsedMs", (*elapsed_ms as f64).into());
                if let Some(last) = last {
                    set("cause", self.error_to_js(last));
                }
            }
            _ => {}
        }
        self.hooks.make_error(error.kind(), &error.to_string(), &fields)
    }
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
