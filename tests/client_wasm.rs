//! The fetch client (`src/wasm/client.rs`, `run_event_source`) against the real
//! local test server `tests/server/sse-server.mjs`, in headless Chromium, a
//! dedicated worker and Node (chosen by `WASM_BINDGEN_USE_*`; see the Makefile).
//!
//! The server's URL is read at compile time from `WASM_BINDGEN_TEST_SERVER`, which
//! `scripts/with-sse-server.mjs` sets after starting the server:
//!
//! ```text
//! node scripts/with-sse-server.mjs -- env WASM_BINDGEN_USE_BROWSER=1 WASM_BINDGEN_TEST_TIMEOUT=300 \
//!     cargo test --target wasm32-unknown-unknown --features client --test client_wasm
//! ```
//!
//! The hooks are built here as `pkg-template/client.js` builds them, with the
//! batches decoded by the package's own `decodeBatch` (pkg-template/records.js). Every
//! run also checks what must hold on every path: each request's `Last-Event-ID`
//! is the last ID dispatched before it (absent while there is none), `Accept` is
//! set, `cache` is `no-store`, and no callback runs after an abort or after the
//! promise settled. Timing checks are lower bounds only.

#![cfg(all(target_arch = "wasm32", feature = "client"))]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use wasm_bindgen_test::wasm_bindgen_test as test;
use wasm_sse::wasm::client::{run_event_source, Hooks};

/// A run that has not settled by then is a failure with its URL, not a silent
/// test-runner timeout. Not a timing assertion: every check here settles in a
/// few seconds at most.
const GUARD_MS: f64 = 60_000.0;

// ------------------------------------------------------------------ JS helpers

fn server() -> &'static str {
    match option_env!("WASM_BINDGEN_TEST_SERVER") {
        Some(url) => url.trim_end_matches('/'),
        None => panic!(
            "WASM_BINDGEN_TEST_SERVER is not set; run these tests through \
             `node scripts/with-sse-server.mjs -- cargo test ...` (see the Makefile's test-wasm)"
        ),
    }
}

fn url(path: &str) -> String {
    format!("{}{}", server(), path)
}

/// A key no other test (or earlier run against the same server) uses.
fn unique() -> String {
    format!("{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e12) as u64)
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &name.into()).unwrap()
}

fn prop(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn prop_str(value: &JsValue, name: &str) -> Option<String> {
    prop(value, name).as_string()
}

fn prop_f64(value: &JsValue, name: &str) -> Option<f64> {
    prop(value, name).as_f64()
}

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in pairs {
        Reflect::set(&object, &(*name).into(), value).unwrap();
    }
    object
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// `setTimeout` as a promise.
fn delay_promise(ms: f64) -> Promise {
    Promise::new(&mut |resolve, _| {
        let set_timeout: Function = global("setTimeout").unchecked_into();
        set_timeout.call2(&JsValue::UNDEFINED, &resolve, &ms.into()).unwrap();
    })
}

async fn sleep(ms: f64) {
    JsFuture::from(delay_promise(ms)).await.unwrap();
}

/// A promise that resolves to `value` (adopting it, if a promise) on the task
/// after `signal` aborted: the client has seen the abort by then (its wake-ups
/// are microtasks), so there is no race to lose.
fn after_the_abort(signal: &web_sys::AbortSignal, value: JsValue) -> Promise {
    let signal = signal.clone();
    Promise::new(&mut |resolve, _| {
        let value = value.clone();
        let later = Closure::once_into_js(move || {
            let release = Closure::once_into_js(move || {
                let _ = resolve.call1(&JsValue::UNDEFINED, &value);
            });
            let set_timeout: Function = global("setTimeout").unchecked_into();
            set_timeout.call2(&JsValue::UNDEFINED, &release, &0.into()).unwrap();
        });
        if signal.aborted() {
            later.unchecked_ref::<Function>().call0(&JsValue::UNDEFINED).unwrap();
        } else {
            signal.add_event_listener_with_callback("abort", later.unchecked_ref()).unwrap();
        }
    })
}

/// Aborts `controller` after `ms`, without blocking the caller.
fn abort_later(controller: &web_sys::AbortController, ms: f64) {
    let controller = controller.clone();
    spawn_local(async move {
        sleep(ms).await;
        controller.abort();
    });
}

fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    match select(Box::pin(a), Box::pin(b)).await {
        Either::Left((a, _)) => Either::Left(a),
        Either::Right((b, _)) => Either::Right(b),
    }
}

/// GET with the global fetch, the body as text.
async fn get_text(path: &str) -> String {
    let fetch: Function = global("fetch").unchecked_into();
    let promise: Promise = fetch.call1(&js_sys::global(), &url(path).into()).unwrap().unchecked_into();
    let response: web_sys::Response = JsFuture::from(promise).await.unwrap().unchecked_into();
    JsFuture::from(response.text().unwrap()).await.unwrap().as_string().unwrap()
}

/// The server's counters for `key` and resume state of `stream` (see /stats).
async fn stats(key: &str, stream: &str) -> Value {
    serde_json::from_str(&get_text(&format!("/stats?key={}&stream={}", encode(key), encode(stream))).await)
        .unwrap()
}

// ------------------------------------------------------------------ the batch format

#[path = "common/records_js.rs"]
mod records_js;

/// One message as `onmessage` sees it in client.js.
#[derive(Clone, Debug, PartialEq)]
struct Message {
    event: String,
    data: String,
    id: String,
    retry: Option<f64>,
}

/// The `deliver` hook, as client.js builds it: the package's own `decodeBatch`
/// (pkg-template/records.js), with one `state` and one set of handlers for the
/// whole run, which make the messages of `onmessage` (a `retry` field goes
/// with the next event, in this batch or a later one).
fn deliver_hook(
    log: Rc<Log>,
    still_current: impl Fn() -> bool + 'static,
    mut on_message: impl FnMut(Message) + 'static,
) -> impl FnMut(JsValue, JsValue, JsValue) -> Result<(), JsValue> {
    let state = object(&[("lastEventId", "".into())]);
    let handlers = {
        let (seen, state) = (log.clone(), state.clone());
        let event = Closure::<dyn FnMut(String, String)>::new(move |event: String, data: String| {
            let id = prop_str(&state, "lastEventId").expect("state.lastEventId is a string");
            *seen.last_id.borrow_mut() = id.clone();
            on_message(Message { event, data, id, retry: seen.retry.take() });
        });
        let retry = Closure::<dyn FnMut(f64)>::new(move |ms: f64| log.retry.set(Some(ms)));
        object(&[("event", event.into_js_value()), ("retry", retry.into_js_value())])
    };
    let still_current = Closure::<dyn Fn() -> bool>::new(still_current).into_js_value();
    let (wire, state, handlers) = (records_js::parser_wire(), JsValue::from(state), JsValue::from(handlers));
    move |records, ascii, wide| {
        records_js::decode_batch(&wire, &records, &ascii, &wide, &state, &handlers, &still_current)
    }
}

// ------------------------------------------------------------------ the client under test

/// One request as the client made it.
struct Fetch {
    at: f64,
    last_event_id: Option<String>,
    accept: Option<String>,
    cache: JsValue,
    /// The request's own signal (the client's per-attempt controller).
    signal: web_sys::AbortSignal,
    /// The ID of the last message delivered before this request.
    dispatched_id: String,
}

/// Everything the hooks saw.
#[derive(Default)]
struct Log {
    messages: RefCell<Vec<Message>>,
    last_id: RefCell<String>,
    retry: Cell<Option<f64>>,
    /// (time, error) per `onerror` call.
    errors: RefCell<Vec<(f64, JsValue)>>,
    metrics: RefCell<Vec<JsValue>>,
    fetches: RefCell<Vec<Fetch>>,
    opens: Cell<u32>,
    closes: Cell<u32>,
    delivers: Cell<u32>,
    /// Callbacks that ran after the abort or after the promise settled.
    late: RefCell<Vec<String>>,
    settled: Cell<bool>,
}

impl Log {
    fn data(&self) -> Vec<String> {
        self.messages.borrow().iter().map(|m| m.data.clone()).collect()
    }
    fn fetch_count(&self) -> usize {
        self.fetches.borrow().len()
    }
    fn error_types(&self) -> Vec<String> {
        self.errors
            .borrow()
            .iter()
            .map(|(_, e)| prop_str(e, "type").unwrap_or_else(|| "<untyped>".into()))
            .collect()
    }
    fn last_metrics(&self) -> JsValue {
        self.metrics.borrow().last().cloned().expect("onmetrics was never called")
    }
}

type OnError = Box<dyn FnMut(&JsValue) -> Result<JsValue, JsValue>>;
type OnOpen = Box<dyn FnMut(&JsValue) -> Result<JsValue, JsValue>>;
type OnClose = Box<dyn FnMut() -> Result<(), JsValue>>;
type OnMessage = Box<dyn FnMut(&Message)>;

/// One `fetchEventSource` call: options and callbacks, then [`Client::run`].
struct Client {
    log: Rc<Log>,
    controller: web_sys::AbortController,
    pass_signal: bool,
    options: Object,
    hold_response_until_abort: bool,
    onerror: Option<OnError>,
    onopen: Option<OnOpen>,
    onclose: Option<OnClose>,
    onmessage: Option<OnMessage>,
}

/// How a run ended, and what its hooks saw.
struct Ran {
    result: Result<(), JsValue>,
    log: Rc<Log>,
    what: String,
}

impl Ran {
    fn ok(&self) -> &Log {
        if let Err(e) = &self.result {
            panic!("{}: rejected with {}", self.what, describe(e));
        }
        &self.log
    }
    fn err(&self) -> JsValue {
        match &self.result {
            Ok(()) => panic!("{}: resolved, expected a rejection", self.what),
            Err(e) => e.clone(),
        }
    }
}

fn describe(value: &JsValue) -> String {
    let ty = prop_str(value, "type");
    let message =
        prop_str(value, "message").or_else(|| value.as_string()).unwrap_or_else(|| format!("{value:?}"));
    match ty {
        Some(ty) => format!("[{ty}] {message}"),
        None => message,
    }
}

impl Client {
    fn new() -> Client {
        Client {
            log: Rc::new(Log::default()),
            controller: web_sys::AbortController::new().unwrap(),
            pass_signal: true,
            options: Object::new(),
            hold_response_until_abort: false,
            onerror: None,
            onopen: None,
            onclose: None,
            onmessage: None,
        }
    }

    fn option(self, name: &str, value: impl Into<JsValue>) -> Client {
        Reflect::set(&self.options, &name.into(), &value.into()).unwrap();
        self
    }
    fn onerror(mut self, f: impl FnMut(&JsValue) -> Result<JsValue, JsValue> + 'static) -> Client {
        self.onerror = Some(Box::new(f));
        self
    }
    fn onopen(mut self, f: impl FnMut(&JsValue) -> Result<JsValue, JsValue> + 'static) -> Client {
        self.onopen = Some(Box::new(f));
        self
    }
    fn onclose(mut self, f: impl FnMut() -> Result<(), JsValue> + 'static) -> Client {
        self.onclose = Some(Box::new(f));
        self
    }
    fn onmessage(mut self, f: impl FnMut(&Message) + 'static) -> Client {
        self.onmessage = Some(Box::new(f));
        self
    }
    fn without_signal(mut self) -> Client {
        self.pass_signal = false;
        self
    }
    /// The response reaches the client only once the signal has aborted.
    fn hold_response_until_abort(mut self) -> Client {
        self.hold_response_until_abort = true;
        self
    }

    /// The hooks object, built as `pkg-template/client.js` builds it. Its
    /// closures are handed to the JS GC, so a late call finds them alive.
    fn hooks(self) -> Hooks {
        let Client {
            log,
            controller,
            pass_signal,
            options: _,
            hold_response_until_abort,
            onerror,
            onopen,
            onclose,
            onmessage,
        } = self;
        let signal = controller.signal();
        // Records a callback that runs after the abort or after the promise settled.
        let late = {
            let (log, signal) = (log.clone(), signal.clone());
            move |name: &str| {
                if log.settled.get() || (pass_signal && signal.aborted()) {
                    log.late.borrow_mut().push(name.to_owned());
                }
            }
        };
        let late = Rc::new(late);

        let fetch = {
            let (log, late, held_by) = (log.clone(), late.clone(), signal.clone());
            let real: Function = global("fetch").unchecked_into();
            Closure::<dyn FnMut(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
                move |input: JsValue, init: JsValue| {
                    late("fetch");
                    let headers: web_sys::Headers =
                        prop(&init, "headers").dyn_into().expect("init.headers is a Headers");
                    log.fetches.borrow_mut().push(Fetch {
                        at: now(),
                        last_event_id: headers.get("last-event-id").unwrap(),
                        accept: headers.get("accept").unwrap(),
                        cache: prop(&init, "cache"),
                        signal: prop(&init, "signal").dyn_into().expect("init.signal is an AbortSignal"),
                        dispatched_id: log.last_id.borrow().clone(),
                    });
                    let response: Promise = real.call2(&js_sys::global(), &input, &init)?.unchecked_into();
                    if !hold_response_until_abort {
                        return Ok(response.into());
                    }
                    // The client gives up on it when aborted; a rejection nobody
                    // waits for would be an unhandled rejection (fatal in Node).
                    let noop = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
                    let _ = response.catch(&noop);
                    noop.forget();
                    let delayed = after_the_abort(&held_by, response.into());
                    Ok(delayed.into())
                },
            )
            .into_js_value()
        };

        let deliver = {
            let (log, late, signal) = (log.clone(), late.clone(), signal.clone());
            let mut onmessage = onmessage;
            let log2 = log.clone();
            let mut decode = deliver_hook(
                log.clone(),
                move || !(pass_signal && signal.aborted()),
                move |message| {
                    log2.messages.borrow_mut().push(message.clone());
                    if let Some(f) = onmessage.as_mut() {
                        f(&message);
                    }
                },
            );
            Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> Result<(), JsValue>>::new(
                move |view: JsValue, ascii: JsValue, wide_bytes: JsValue| {
                    // Views of wasm memory, which any allocation may move:
                    // copied and decoded before anything else, as client.js does.
                    let records: JsValue = js_sys::Uint32Array::new(&view).into();
                    let wide = records_js::decode_wide(wide_bytes.unchecked_ref());
                    late("deliver");
                    log.delivers.set(log.delivers.get() + 1);
                    decode(records, ascii, wide)
                },
            )
            .into_js_value()
        };

        // What onopen or onerror returned, for `answer()`, as client.js keeps it.
        let answer = Rc::new(RefCell::new(JsValue::UNDEFINED));
        let has_onopen = onopen.is_some();
        let onopen_hook = {
            let (log, late, answer) = (log.clone(), late.clone(), answer.clone());
            let mut onopen = onopen;
            Closure::<dyn FnMut(JsValue) -> Result<(), JsValue>>::new(move |response: JsValue| {
                late("onopen");
                log.opens.set(log.opens.get() + 1);
                *answer.borrow_mut() = match onopen.as_mut() {
                    Some(f) => f(&response)?,
                    None => return Err(js_error("onopen called although hasOnopen is false")),
                };
                Ok(())
            })
            .into_js_value()
        };

        let onerror_hook = {
            let (log, late, answer) = (log.clone(), late.clone(), answer.clone());
            let mut onerror = onerror;
            Closure::<dyn FnMut(JsValue) -> Result<(), JsValue>>::new(move |error: JsValue| {
                late("onerror");
                log.errors.borrow_mut().push((now(), error.clone()));
                *answer.borrow_mut() = match onerror.as_mut() {
                    Some(f) => f(&error)?,
                    None => JsValue::UNDEFINED,
                };
                Ok(())
            })
            .into_js_value()
        };
        let answer_hook = Closure::<dyn FnMut() -> JsValue>::new(move || answer.replace(JsValue::UNDEFINED))
            .into_js_value();

        let onclose_hook = {
            let (log, late) = (log.clone(), late.clone());
            let mut onclose = onclose;
            Closure::<dyn FnMut() -> Result<(), JsValue>>::new(move || {
                late("onclose");
                log.closes.set(log.closes.get() + 1);
                match onclose.as_mut() {
                    Some(f) => f(),
                    None => Ok(()),
                }
            })
            .into_js_value()
        };

        let onmetrics = {
            let (log, late) = (log.clone(), late.clone());
            Closure::<dyn FnMut(JsValue)>::new(move |metrics: JsValue| {
                late("onmetrics");
                log.metrics.borrow_mut().push(metrics);
            })
            .into_js_value()
        };

        let onstream = {
            let late = late.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| late("onstream")).into_js_value()
        };
        let onretry = {
            let late = late.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| late("onretry")).into_js_value()
        };

        let make_error = Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> JsValue>::new(
            |kind: JsValue, message: JsValue, fields: JsValue| {
                let error = js_sys::Error::new(&message.as_string().unwrap_or_default());
                error.set_name("FetchEventSourceError");
                Reflect::set(&error, &"type".into(), &kind).unwrap();
                Object::assign(error.unchecked_ref::<Object>(), fields.unchecked_ref::<Object>());
                error.into()
            },
        )
        .into_js_value();

        object(&[
            ("fetch", fetch),
            ("signal", if pass_signal { signal.into() } else { JsValue::UNDEFINED }),
            ("hasOnopen", has_onopen.into()),
            ("onopen", onopen_hook),
            ("onerror", onerror_hook),
            ("answer", answer_hook),
            ("onclose", onclose_hook),
            ("onmetrics", onmetrics),
            ("onstream", onstream),
            ("onretry", onretry),
            ("makeError", make_error),
            ("deliver", deliver),
        ])
        .unchecked_into::<Hooks>()
    }

    /// Runs to the end with `init` (a RequestInit), our options added to it as
    /// a caller's init object has them.
    async fn run_with(self, input: JsValue, init: JsValue) -> Ran {
        let what = input.as_string().unwrap_or_else(|| "a Request".into());
        let log = self.log.clone();
        let controller = self.controller.clone();
        let with_options = Object::new();
        if init.is_object() {
            Object::assign(&with_options, init.unchecked_ref());
        }
        Object::assign(&with_options, &self.options);
        let init: JsValue = with_options.into();
        let hooks = self.hooks();
        let result = match race(run_event_source(input, init, hooks), sleep(GUARD_MS)).await {
            Either::Left(result) => result,
            Either::Right(()) => {
                controller.abort();
                panic!("{what}: did not settle in {} s", GUARD_MS / 1000.0);
            }
        };
        log.settled.set(true);
        let ran = Ran { result, log, what };
        check_invariants(&ran);
        ran
    }

    async fn run(self, path: &str) -> Ran {
        self.run_with(url(path).into(), JsValue::UNDEFINED).await
    }
}

/// What holds on every path of every run.
fn check_invariants(ran: &Ran) {
    let what = &ran.what;
    for (i, fetch) in ran.log.fetches.borrow().iter().enumerate() {
        let want = (!fetch.dispatched_id.is_empty()).then(|| fetch.dispatched_id.clone());
        assert_eq!(
            fetch.last_event_id,
            want,
            "{what}: request {} sent Last-Event-ID {:?}, but the last dispatched ID was {:?}",
            i + 1,
            fetch.last_event_id,
            fetch.dispatched_id
        );
        assert!(fetch.accept.is_some(), "{what}: request {} has no Accept header", i + 1);
        assert_eq!(
            fetch.cache.as_string().as_deref(),
            Some("no-store"),
            "{what}: request {} cache mode",
            i + 1
        );
    }
    assert!(
        ran.log.late.borrow().is_empty(),
        "{what}: callbacks after the abort: {:?}",
        ran.log.late.borrow()
    );
}

/// After a run settled (or was aborted), later callbacks would show up in `late`.
async fn assert_quiet_after(ran: &Ran, ms: f64) {
    sleep(ms).await;
    assert!(
        ran.log.late.borrow().is_empty(),
        "{}: callbacks after the end: {:?}",
        ran.what,
        ran.log.late.borrow()
    );
    for (i, fetch) in ran.log.fetches.borrow().iter().enumerate() {
        assert!(
            fetch.signal.aborted(),
            "{}: request {} was not cancelled when the run ended",
            ran.what,
            i + 1
        );
    }
}

fn ids(log: &Log) -> Vec<u64> {
    log.messages.borrow().iter().map(|m| m.id.parse().unwrap()).collect()
}

fn echoes(log: &Log) -> Vec<Value> {
    log.messages.borrow().iter().map(|m| serde_json::from_str(&m.data).unwrap()).collect()
}

// ------------------------------------------------------------------ streaming

#[test]
async fn dribbled_events_arrive_in_order_with_sticky_ids() {
    let ran = Client::new().without_signal().run("/dribble?n=3&interval=10").await;
    let log = ran.ok();
    let got: Vec<_> =
        log.messages.borrow().iter().map(|m| format!("{}:{}@{}", m.event, m.data, m.id)).collect();
    assert_eq!(got, ["message:1@1", "message:2@2", "message:3@3"]);
    assert_eq!(log.fetch_count(), 1);
    assert_eq!(log.fetches.borrow()[0].accept.as_deref(), Some("text/event-stream"));
    assert_eq!(log.closes.get(), 1, "onclose once on a clean end");
    assert!(log.errors.borrow().is_empty());
}

#[test]
async fn across_20_forced_disconnects_1000_events_arrive_exactly_once_in_order() {
    let stream = unique();
    // 1000 events, 48 a connection: 21 connections, 20 forced disconnects.
    let ran = Client::new()
        .option("retryDelayMs", 1)
        .run(&format!("/drop?total=1000&every=48&stream={stream}"))
        .await;
    let log = ran.ok();
    let ids = ids(log);
    let first_wrong = ids.iter().enumerate().find(|(i, id)| **id != *i as u64 + 1);
    assert!(ids.len() == 1000 && first_wrong.is_none(), "{} events, first wrong: {first_wrong:?}", ids.len());
    let state = &stats("", &stream).await["stream"];
    let connections = state["connections"].as_u64().unwrap() as usize;
    // A browser may lose the last bytes before a drop; the resume then costs a
    // connection more, never an event more or less.
    assert!(connections >= 21, "{connections} connections");
    assert_eq!(log.fetch_count(), connections);
    // The server saw the IDs the client sent: the last one dispatched each time.
    let sent: Vec<Option<String>> = log.fetches.borrow().iter().map(|f| f.last_event_id.clone()).collect();
    let seen: Vec<Option<String>> =
        state["lastEventIds"].as_array().unwrap().iter().map(|v| v.as_str().map(str::to_owned)).collect();
    assert_eq!(seen, sent);
    let metrics = log.last_metrics();
    assert_eq!(prop_f64(&metrics, "events"), Some(1000.0));
    assert_eq!(prop_f64(&metrics, "reconnects"), Some((connections - 1) as f64));
    assert_eq!(log.closes.get(), 1, "one clean end");
    assert!(log.error_types().iter().all(|t| t == "network"), "{:?}", log.error_types());
}

#[test]
async fn last_event_id_on_reconnect_is_the_last_dispatched_id_never_a_partial_events() {
    let stream = unique();
    // Each connection ends with half an event `id: x<n>` / `data: partial` and no
    // blank line: its ID must never be sent.
    let ran = Client::new()
        .option("retryDelayMs", 1)
        .run(&format!("/drop?total=200&every=50&partial=1&stream={stream}"))
        .await;
    let log = ran.ok();
    assert_eq!(ids(log), (1..=200).collect::<Vec<_>>());
    assert!(log.data().iter().all(|d| d != "partial"), "a partial event was dispatched");
    let state = &stats("", &stream).await["stream"];
    let seen: Vec<Option<String>> =
        state["lastEventIds"].as_array().unwrap().iter().map(|v| v.as_str().map(str::to_owned)).collect();
    // Without lost bytes that is [none, 50, 100, 150]; a browser that loses the
    // bytes before a drop needs a connection more and resends the ID it had.
    // Either way each request carries the last ID dispatched before it (never
    // the partial block's `x<n>`), and the server saw exactly that.
    let want: Vec<Option<String>> = log
        .fetches
        .borrow()
        .iter()
        .map(|f| (!f.dispatched_id.is_empty()).then(|| f.dispatched_id.clone()))
        .collect();
    assert_eq!(seen, want, "the Last-Event-IDs the server saw");
    assert!(seen.len() >= 4, "{} connections for 200 events, 50 a connection", seen.len());
}

#[test]
async fn line_ends_bom_and_utf8_split_across_chunks() {
    let want = [("message", "héllo", "1"), ("multi", "a\n✓ 😀", "1"), ("message", "€uro", "1")];
    for eol in ["lf", "cr", "crlf"] {
        for bom in [0, 1] {
            for split in [0, 1, 3] {
                let path = format!("/lines?eol={eol}&bom={bom}&split={split}&delay=1");
                let ran = Client::new().run(&path).await;
                let log = ran.ok();
                let got: Vec<_> = log
                    .messages
                    .borrow()
                    .iter()
                    .map(|m| (m.event.clone(), m.data.clone(), m.id.clone()))
                    .collect();
                let want: Vec<_> =
                    want.iter().map(|(e, d, i)| (e.to_string(), d.to_string(), i.to_string())).collect();
                assert_eq!(got, want, "{path}");
            }
        }
    }
}

#[test]
async fn a_giant_event_within_the_buffer_limit_arrives_whole() {
    let ran = Client::new().run("/giant?size=1048576").await;
    let data = ran.ok().data();
    assert_eq!(data.len(), 2);
    assert!(data[0].len() == 1 << 20 && data[0].bytes().all(|b| b == b'x'), "{} bytes", data[0].len());
    assert_eq!(data[1], "after");
}

#[test]
async fn metrics_are_present_and_plausible() {
    let ran = Client::new().run("/dribble?n=3&interval=1").await;
    let log = ran.ok();
    assert!(log.metrics.borrow().len() >= 2, "onmetrics after the open and at the end");
    let m = log.last_metrics();
    assert_eq!(prop_f64(&m, "events"), Some(3.0));
    // Three times `id: i\ndata: i\n\n`.
    assert_eq!(prop_f64(&m, "bytes"), Some(45.0));
    assert_eq!(prop_f64(&m, "reconnects"), Some(0.0));
    let headers = prop_f64(&m, "timeToHeadersMs").expect("timeToHeadersMs");
    let first_byte = prop_f64(&m, "timeToFirstByteMs").expect("timeToFirstByteMs");
    let first_event = prop_f64(&m, "timeToFirstEventMs").expect("timeToFirstEventMs");
    assert!(
        0.0 <= headers && headers <= first_byte && first_byte <= first_event,
        "{headers} {first_byte} {first_event}"
    );
}

// ------------------------------------------------------------------ requests

/// The echo scenario with two forced drops: every attempt must carry the
/// method, body and headers; `check` looks at each attempt's echo.
async fn echo_every_attempt(init: Object, check: impl Fn(&Value)) {
    let key = unique();
    let ran = Client::new()
        .option("retryDelayMs", 1)
        .run_with(url(&format!("/echo?key={key}&drops=2")).into(), init.into())
        .await;
    let log = ran.ok();
    assert_eq!(log.fetch_count(), 3);
    assert_eq!(stats(&key, "").await["attempts"]["echo"], 3, "the server saw three attempts");
    let seen = echoes(log);
    // A browser may lose the bytes that arrived just before a drop (Chromium
    // does), so an attempt's echo can be missing; the last one always arrives.
    assert_eq!(seen.last().map(|s| s["attempt"].clone()), Some(3.into()), "{seen:?}");
    for echo in &seen {
        assert_eq!(echo["method"], "POST", "{echo}");
        assert_eq!(echo["headers"]["x-test"], "yes", "{echo}");
        assert_eq!(echo["headers"]["accept"], "text/event-stream", "{echo}");
        check(echo);
        // What the server read is what the client meant to send.
        let attempt = echo["attempt"].as_u64().unwrap() as usize;
        let sent = log.fetches.borrow()[attempt - 1].last_event_id.clone();
        assert_eq!(echo["lastEventId"].as_str().map(str::to_owned), sent, "{echo}");
    }
}

#[test]
async fn post_body_and_record_headers_reach_the_server_on_every_attempt() {
    let headers = object(&[("X-Test", "yes".into()), ("Content-Type", "application/json".into())]);
    let init =
        object(&[("method", "POST".into()), ("headers", headers.into()), ("body", r#"{"a":1}"#.into())]);
    echo_every_attempt(init, |echo| {
        assert_eq!(echo["body"], r#"{"a":1}"#);
        assert_eq!(echo["headers"]["content-type"], "application/json");
    })
    .await;
}

#[test]
async fn post_bytes_and_a_headers_object_reach_the_server_on_every_attempt() {
    let headers = web_sys::Headers::new().unwrap();
    headers.append("X-Test", "yes").unwrap();
    headers.append("Content-Type", "application/octet-stream").unwrap();
    let body = Uint8Array::from(&[0u8, 1, 2, 255, 254][..]);
    let init = object(&[("method", "POST".into()), ("headers", headers.into()), ("body", body.into())]);
    echo_every_attempt(init, |echo| {
        assert_eq!(echo["bodyBase64"], "AAEC//4=");
        assert_eq!(echo["headers"]["content-type"], "application/octet-stream");
    })
    .await;
}

#[test]
async fn post_body_and_header_pairs_reach_the_server_on_every_attempt() {
    let pair = |name: &str, value: &str| Array::of2(&name.into(), &value.into());
    let headers = Array::of2(&pair("X-Test", "yes"), &pair("Content-Type", "text/plain;charset=UTF-8"));
    let init = object(&[("method", "POST".into()), ("headers", headers.into()), ("body", "héllo ✓".into())]);
    echo_every_attempt(init, |echo| {
        assert_eq!(echo["body"], "héllo ✓");
        assert_eq!(echo["headers"]["content-type"], "text/plain;charset=UTF-8");
    })
    .await;
}

#[test]
async fn a_request_input_is_sent_again_intact_on_every_attempt() {
    let key = unique();
    let headers = object(&[("X-Test", "yes".into())]);
    let init =
        object(&[("method", "POST".into()), ("headers", headers.into()), ("body", "from a Request".into())]);
    let constructor: Function = global("Request").unchecked_into();
    let request = Reflect::construct(
        &constructor,
        &Array::of2(&url(&format!("/echo?key={key}&drops=1")).into(), &init),
    )
    .unwrap();
    let ran = Client::new().option("retryDelayMs", 1).run_with(request, JsValue::UNDEFINED).await;
    let log = ran.ok();
    assert_eq!(log.fetch_count(), 2);
    let seen = echoes(log);
    assert_eq!(seen.last().map(|s| s["attempt"].clone()), Some(2.into()), "{seen:?}");
    for echo in &seen {
        assert_eq!(echo["method"], "POST", "{echo}");
        assert_eq!(echo["body"], "from a Request", "{echo}");
        assert_eq!(echo["headers"]["x-test"], "yes", "{echo}");
        assert_eq!(echo["headers"]["accept"], "text/event-stream", "{echo}");
    }
}

#[test]
async fn an_accept_header_set_by_the_caller_is_kept() {
    let key = unique();
    let headers = object(&[("accept", "application/json, text/event-stream".into())]);
    let init = object(&[("headers", headers.into())]);
    let ran = Client::new().run_with(url(&format!("/echo?key={key}")).into(), init.into()).await;
    let seen = echoes(ran.ok());
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["method"], "GET");
    assert_eq!(seen[0]["headers"]["accept"], "application/json, text/event-stream");
    let raw = seen[0]["rawHeaders"].as_array().unwrap();
    let accepts =
        raw.iter().step_by(2).filter(|n| n.as_str().unwrap().eq_ignore_ascii_case("accept")).count();
    assert_eq!(accepts, 1, "{raw:?}");
}

#[test]
async fn redirects_are_followed() {
    for code in [301, 302, 303, 307, 308] {
        let to = encode("/dribble?n=2&interval=0");
        let ran = Client::new().run(&format!("/redirect?code={code}&to={to}")).await;
        assert_eq!(ran.ok().data(), ["1", "2"], "{code}");
    }
    // 307 keeps the method and body; 303 turns them into a GET.
    for (code, method, body) in [(307, "POST", "kept"), (303, "GET", "")] {
        let to = encode(&format!("/echo?key={}", unique()));
        let init = object(&[("method", "POST".into()), ("body", "kept".into())]);
        let ran =
            Client::new().run_with(url(&format!("/redirect?code={code}&to={to}")).into(), init.into()).await;
        let seen = echoes(ran.ok());
        assert_eq!(seen.len(), 1, "{code}");
        assert_eq!(
            (seen[0]["method"].as_str(), seen[0]["body"].as_str()),
            (Some(method), Some(body)),
            "{code}"
        );
    }
}

// ------------------------------------------------------------------ abort

#[test]
async fn an_already_aborted_signal_resolves_without_fetching() {
    let client = Client::new();
    client.controller.abort();
    let ran = client.run("/dribble").await;
    let log = ran.ok();
    assert_eq!(log.fetch_count(), 0);
    assert_eq!((log.delivers.get(), log.closes.get(), log.opens.get()), (0, 0, 0));
    assert!(log.errors.borrow().is_empty() && log.metrics.borrow().is_empty());
}

#[test]
async fn an_abort_before_the_headers_resolves_and_cancels_the_request() {
    // The response is held until the abort, which comes once the request is out.
    let client = Client::new().hold_response_until_abort();
    let (log, controller) = (client.log.clone(), client.controller.clone());
    spawn_local(async move {
        while log.fetch_count() == 0 {
            sleep(1.0).await;
        }
        controller.abort();
    });
    let ran = client.run("/dribble?n=3&interval=0").await;
    let log = ran.ok();
    assert_eq!(log.fetch_count(), 1);
    assert_eq!(log.delivers.get(), 0);
    // The held response is released by the abort: nothing of it may follow.
    assert_quiet_after(&ran, 200.0).await;
    assert!(log.metrics.borrow().is_empty() && log.errors.borrow().is_empty() && log.closes.get() == 0);
}

#[test]
async fn an_abort_while_streaming_resolves_and_no_callback_runs_after_it() {
    let client = Client::new();
    let controller = client.controller.clone();
    let count = Rc::new(Cell::new(0));
    let client = client.onmessage(move |_| {
        count.set(count.get() + 1);
        if count.get() == 3 {
            abort_later(&controller, 30.0);
        }
    });
    let ran = client.run("/dribble?n=1000&interval=5").await;
    let log = ran.ok();
    let n = log.messages.borrow().len();
    assert!((3..1000).contains(&n), "{n} messages");
    assert_eq!(log.closes.get(), 0);
    assert_quiet_after(&ran, 200.0).await;
}

#[test]
async fn an_abort_from_onmessage_stops_delivery_at_once() {
    let client = Client::new();
    let controller = client.controller.clone();
    let client = client.onmessage(move |m| {
        if m.id == "10" {
            controller.abort();
        }
    });
    let ran = client.run(&format!("/drop?total=500&every=1000&stream={}", unique())).await;
    assert_eq!(ids(ran.ok()), (1..=10).collect::<Vec<_>>());
    assert_quiet_after(&ran, 100.0).await;
}

#[test]
async fn an_abort_while_waiting_to_retry_resolves() {
    let client = Client::new().option("retryDelayMs", 60_000);
    let controller = client.controller.clone();
    let client = client.onerror(move |_| {
        abort_later(&controller, 20.0);
        Ok(JsValue::UNDEFINED)
    });
    let ran = client.run("/status?code=500").await;
    let log = ran.ok();
    assert_eq!(log.fetch_count(), 1);
    assert_eq!(log.error_types(), ["http-status"]);
    assert_quiet_after(&ran, 100.0).await;
}

#[test]
async fn an_abort_while_an_async_onopen_is_pending_resolves() {
    let client = Client::new();
    let controller = client.controller.clone();
    let client = client.onopen(move |_| {
        // onopen settles only after the abort, which comes on the next turn.
        let pending = after_the_abort(&controller.signal(), JsValue::UNDEFINED);
        abort_later(&controller, 0.0);
        Ok(pending.into())
    });
    let ran = client.run("/dribble?n=3&interval=0").await;
    let log = ran.ok();
    assert_eq!((log.opens.get(), log.delivers.get()), (1, 0));
    assert_quiet_after(&ran, 200.0).await;
}

#[test]
async fn an_abort_in_the_turn_onopen_settles_stops_before_onstream() {
    // onopen's promise settles, and the abort lands, in one microtask: both
    // races are ready at once, and the abort must still win.
    for sync in [false, true] {
        let client = Client::new();
        let controller = client.controller.clone();
        let client = client.onopen(move |_| {
            let controller = controller.clone();
            if sync {
                controller.abort();
                return Ok(JsValue::UNDEFINED);
            }
            let abort = Closure::once(move |_: JsValue| controller.abort());
            let settles = Promise::resolve(&JsValue::UNDEFINED).then(&abort);
            abort.forget();
            Ok(settles.into())
        });
        let ran = client.run("/dribble?n=3&interval=0").await;
        let log = ran.ok();
        assert_eq!((log.opens.get(), log.delivers.get()), (1, 0), "sync: {sync}");
        assert!(log.metrics.borrow().is_empty(), "sync: {sync}: onmetrics after the abort");
        assert_quiet_after(&ran, 100.0).await;
    }
}

// ------------------------------------------------------------------ how the promise settles

#[test]
async fn status_204_resolves_without_an_error_or_a_retry() {
    let ran = Client::new().run("/status?code=204").await;
    let log = ran.ok();
    assert_eq!(log.fetch_count(), 1);
    assert!(log.errors.borrow().is_empty() && log.messages.borrow().is_empty());
}

#[test]
async fn status_404_rejects_with_a_typed_http_status_error() {
    let ran = Client::new().run("/status?code=404&body=nope").await;
    let error = ran.err();
    assert_eq!(prop_str(&error, "name").as_deref(), Some("FetchEventSourceError"));
    assert_eq!(prop_str(&error, "type").as_deref(), Some("http-status"));
    assert_eq!(prop_f64(&error, "status"), Some(404.0));
    assert_eq!(prop_str(&error, "statusText").as_deref(), Some("Not Found"));
    assert_eq!(prop_str(&error, "contentType").as_deref(), Some("text/plain; charset=utf-8"));
    assert_eq!(prop_str(&error, "body").as_deref(), Some("nope"));
    assert!(prop_str(&error, "message").is_some_and(|m| m.contains("404")), "{}", describe(&error));
    let log = &ran.log;
    assert_eq!(log.fetch_count(), 1, "404 is not retried");
    assert_eq!(log.error_types(), ["http-status"], "onerror saw it first");
}

#[test]
async fn an_error_body_excerpt_is_at_most_1_kib_and_whole_characters() {
    let body = "é".repeat(1000); // 2000 bytes
    let ran = Client::new().run(&format!("/status?code=400&body={}", encode(&body))).await;
    let excerpt = prop_str(&ran.err(), "body").expect("body");
    assert!(excerpt.len() <= 1024, "{} bytes", excerpt.len());
    assert_eq!(excerpt, "é".repeat(512));
}

#[test]
async fn a_wrong_or_missing_content_type_is_a_content_type_error() {
    for (query, want) in [("?type=text/plain", Some("text/plain")), ("", None)] {
        let ran = Client::new().run(&format!("/content-type{query}")).await;
        let error = ran.err();
        assert_eq!(prop_str(&error, "type").as_deref(), Some("content-type"), "{query}");
        assert_eq!(prop_str(&error, "contentType").as_deref(), want, "{query}");
        assert_eq!(prop_f64(&error, "status"), Some(200.0));
        assert!(ran.log.messages.borrow().is_empty(), "{query}: the body was delivered");
        assert_eq!(ran.log.fetch_count(), 1, "{query}: not retried");
    }
}

#[test]
async fn retry_after_seconds_on_429_and_503_is_honoured() {
    for code in [429, 503] {
        let key = unique();
        // Retry-After beats both the base delay and maxDelayMs.
        let client = Client::new().option("retryDelayMs", 1).option("maxDelayMs", 10);
        let ran = client.run(&format!("/fail?code={code}&k=1&retry_after=1&key={key}")).await;
        let log = ran.ok();
        assert_eq!(log.data(), ["ok after 2 attempts"], "{code}");
        let errors = log.errors.borrow();
        assert_eq!(errors.len(), 1, "{code}");
        assert_eq!(prop_f64(&errors[0].1, "status"), Some(code as f64));
        assert_eq!(prop_f64(&errors[0].1, "retryAfterMs"), Some(1000.0), "{code}");
        let fetches = log.fetches.borrow();
        let waited = fetches[1].at - fetches[0].at;
        assert!(waited >= 990.0, "{code}: retried after {waited} ms");
    }
}

#[test]
async fn status_500_is_retried_then_streams() {
    let key = unique();
    let ran = Client::new().option("retryDelayMs", 1).run(&format!("/fail?code=500&k=2&key={key}")).await;
    let log = ran.ok();
    assert_eq!(log.data(), ["ok after 3 attempts"]);
    let statuses: Vec<_> = log.errors.borrow().iter().map(|(_, e)| prop_f64(e, "status")).collect();
    assert_eq!(statuses, [Some(500.0), Some(500.0)]);
    assert_eq!(log.fetch_count(), 3);
}

#[test]
async fn max_retries_rejects_with_a_max_retries_error() {
    let ran = Client::new().option("retryDelayMs", 1).option("maxRetries", 2).run("/status?code=500").await;
    let error = ran.err();
    assert_eq!(prop_str(&error, "type").as_deref(), Some("max-retries"), "{}", describe(&error));
    assert_eq!(prop_f64(&error, "retries"), Some(2.0));
    let cause = prop(&error, "cause");
    assert_eq!(prop_str(&cause, "type").as_deref(), Some("http-status"));
    assert_eq!(prop_f64(&cause, "status"), Some(500.0));
    assert_eq!(ran.log.fetch_count(), 3);
    assert_eq!(ran.log.error_types(), ["http-status"; 3]);
}

#[test]
async fn onerror_returning_a_number_retries_even_a_fatal_status() {
    let key = unique();
    let ran = Client::new().onerror(|_| Ok(5.into())).run(&format!("/fail?code=404&k=1&key={key}")).await;
    let log = ran.ok();
    assert_eq!(log.data(), ["ok after 2 attempts"]);
    assert_eq!(log.fetch_count(), 2);
}

#[test]
async fn onerror_returning_a_number_replaces_the_delay() {
    let key = unique();
    // Without the override the retry would wait a minute (and trip the guard).
    let client = Client::new().option("retryDelayMs", 60_000).onerror(|_| Ok(1.into()));
    let ran = client.run(&format!("/fail?code=500&k=1&key={key}")).await;
    assert_eq!(ran.ok().data(), ["ok after 2 attempts"]);
}

#[test]
async fn onerror_returning_nothing_applies_the_default_rules() {
    // 500 is retried, 404 is not.
    let key = unique();
    let ran = Client::new()
        .option("retryDelayMs", 1)
        .onerror(|_| Ok(JsValue::UNDEFINED))
        .run(&format!("/fail?code=500&k=1&key={key}"))
        .await;
    assert_eq!(ran.ok().fetch_count(), 2);
    let key = unique();
    let ran = Client::new()
        .option("retryDelayMs", 1)
        .onerror(|_| Ok(JsValue::UNDEFINED))
        .run(&format!("/fail?code=404&k=1&key={key}"))
        .await;
    assert_eq!(prop_f64(&ran.err(), "status"), Some(404.0));
    assert_eq!(ran.log.fetch_count(), 1);
}

#[test]
async fn onerror_throwing_rejects_with_what_it_threw() {
    let mine = js_error("mine");
    let thrown = mine.clone();
    let ran = Client::new().onerror(move |_| Err(thrown.clone())).run("/status?code=500").await;
    assert!(Object::is(&ran.err(), &mine), "rejected with {}", describe(&ran.err()));
    assert_eq!(ran.log.fetch_count(), 1);
}

#[test]
async fn onopen_throwing_counts_as_an_error() {
    let mine = js_error("onopen says no");
    let thrown = mine.clone();
    let client =
        Client::new().option("retryDelayMs", 1).option("maxRetries", 1).onopen(move |_| Err(thrown.clone()));
    let ran = client.run("/dribble?n=2&interval=0").await;
    let error = ran.err();
    assert_eq!(prop_str(&error, "type").as_deref(), Some("max-retries"), "{}", describe(&error));
    let log = &ran.log;
    assert_eq!(log.errors.borrow().len(), 2);
    assert!(log.errors.borrow().iter().all(|(_, e)| Object::is(e, &mine)), "onerror sees what onopen threw");
    assert_eq!((log.fetch_count(), log.opens.get(), log.delivers.get()), (2, 2, 0));
}

#[test]
async fn a_rejected_onopen_promise_counts_as_an_error() {
    let mine = js_error("async onopen says no");
    let rejected = mine.clone();
    let client = Client::new()
        .onopen(move |_| Ok(Promise::reject(&rejected).into()))
        // Rethrowing stops the run with it.
        .onerror(|e| Err(e.clone()));
    let ran = client.run("/dribble?n=2&interval=0").await;
    assert!(Object::is(&ran.err(), &mine), "rejected with {}", describe(&ran.err()));
    assert_eq!((ran.log.fetch_count(), ran.log.delivers.get()), (1, 0));
}

#[test]
async fn an_onopen_replaces_the_default_checks() {
    let ran = Client::new().onopen(|_| Ok(JsValue::UNDEFINED)).run("/content-type?type=text/plain").await;
    let log = ran.ok();
    assert_eq!(log.opens.get(), 1);
    assert_eq!(log.data(), ["not an event stream"]);
}

#[test]
async fn onclose_runs_on_each_clean_end_and_reconnect_on_end_reconnects() {
    let client = Client::new().option("retryDelayMs", 1).option("reconnectOnEnd", true);
    let (log, controller) = (client.log.clone(), client.controller.clone());
    let client = client.onclose(move || {
        if log.closes.get() == 3 {
            controller.abort();
        }
        Ok(())
    });
    let ran = client.run("/dribble?n=2&interval=0").await;
    let log = ran.ok();
    // The reconnects resume after ID 2: nothing more, and nothing twice.
    assert_eq!(log.data(), ["1", "2"]);
    assert_eq!((log.closes.get(), log.fetch_count()), (3, 3));
    let sent: Vec<_> = log.fetches.borrow().iter().map(|f| f.last_event_id.clone()).collect();
    assert_eq!(sent, [None, Some("2".into()), Some("2".into())]);
    assert_quiet_after(&ran, 100.0).await;
}

#[test]
async fn reconnect_on_end_meets_max_retries() {
    let client =
        Client::new().option("retryDelayMs", 1).option("reconnectOnEnd", true).option("maxRetries", 2);
    let ran = client.run("/dribble?n=1&interval=0").await;
    let error = ran.err();
    assert_eq!(prop_str(&error, "type").as_deref(), Some("max-retries"), "{}", describe(&error));
    assert_eq!(prop_f64(&error, "retries"), Some(2.0));
    assert_eq!(ran.log.data(), ["1"]);
    assert_eq!((ran.log.closes.get(), ran.log.fetch_count()), (3, 3));
}

#[test]
async fn onclose_throwing_counts_as_an_error() {
    let mine = js_error("onclose says no");
    let thrown = mine.clone();
    let client = Client::new().onclose(move || Err(thrown.clone())).onerror(|e| Err(e.clone()));
    let ran = client.run("/dribble?n=1&interval=0").await;
    assert!(Object::is(&ran.err(), &mine), "rejected with {}", describe(&ran.err()));
    assert_eq!(ran.log.data(), ["1"]);
    assert_eq!(ran.log.errors.borrow().len(), 1);
}

#[test]
async fn the_retry_field_sets_the_reconnection_delay() {
    let key = unique();
    // Each attempt ends cleanly (a dropped one may lose its bytes in a browser,
    // the retry field with them); reconnectOnEnd reconnects after the delay,
    // and the second attempt's message ends the run.
    let client = Client::new().option("retryDelayMs", 1).option("reconnectOnEnd", true);
    let controller = client.controller.clone();
    let client = client.onmessage(move |m| {
        if serde_json::from_str::<Value>(&m.data).unwrap()["attempt"] == 2 {
            controller.abort();
        }
    });
    let ran = client.run(&format!("/retry?ms=400&attempts=1&key={key}")).await;
    let log = ran.ok();
    let messages = log.messages.borrow();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].retry, Some(400.0), "the retry field reaches the next message");
    let attempts: Vec<_> =
        messages.iter().map(|m| serde_json::from_str::<Value>(&m.data).unwrap()["attempt"].clone()).collect();
    assert_eq!(attempts, [1, 2]);
    let fetches = log.fetches.borrow();
    let waited = fetches[1].at - fetches[0].at;
    assert!(waited >= 395.0, "retried after {waited} ms");
}

#[test]
async fn a_short_retry_field_overrides_a_long_base_delay() {
    let key = unique();
    // With the base delay, the reconnect would wait a minute (and trip the guard).
    let ran =
        Client::new().option("retryDelayMs", 60_000).run(&format!("/retry?ms=10&attempts=2&key={key}")).await;
    assert_eq!(ran.ok().messages.borrow().len(), 2);
}

#[test]
async fn an_idle_stream_times_out_with_an_idle_timeout_error() {
    let client = Client::new().option("idleTimeoutMs", 150).option("maxRetries", 1).option("retryDelayMs", 1);
    let ran = client.run("/stall?events=0").await;
    let error = ran.err();
    assert_eq!(prop_str(&error, "type").as_deref(), Some("max-retries"), "{}", describe(&error));
    let cause = prop(&error, "cause");
    assert_eq!(prop_str(&cause, "type").as_deref(), Some("idle-timeout"));
    assert_eq!(prop_f64(&cause, "timeoutMs"), Some(150.0));
    let log = &ran.log;
    assert_eq!(log.error_types(), ["idle-timeout", "idle-timeout"]);
    assert_eq!(log.fetch_count(), 2);
    let first_error = log.errors.borrow()[0].0;
    let waited = first_error - log.fetches.borrow()[0].at;
    assert!(waited >= 145.0, "timed out after {waited} ms");
}

#[test]
async fn a_server_that_never_answers_times_out_like_a_silent_body() {
    // The idle timeout counts from the request, not from the headers: a server
    // that accepted the connection and hangs is as silent as a stalled body.
    let client = Client::new().option("idleTimeoutMs", 150).option("maxRetries", 1).option("retryDelayMs", 1);
    let ran = client.run("/stall?headers=0").await;
    let error = ran.err();
    assert_eq!(prop_str(&error, "type").as_deref(), Some("max-retries"), "{}", describe(&error));
    assert_eq!(prop_str(&prop(&error, "cause"), "type").as_deref(), Some("idle-timeout"));
    let log = &ran.log;
    assert_eq!(log.error_types(), ["idle-timeout", "idle-timeout"]);
    assert_eq!((log.fetch_count(), log.opens.get()), (2, 0));
}

#[test]
async fn comments_keep_an_idle_stream_alive() {
    let client = Client::new().option("idleTimeoutMs", 1500);
    abort_later(&client.controller, 3000.0);
    let ran = client.run("/stall?events=1&heartbeat=50").await;
    let log = ran.ok();
    assert!(log.errors.borrow().is_empty(), "{:?}", log.error_types());
    assert_eq!((log.data(), log.fetch_count()), (vec!["1".to_owned()], 1));
}

#[test]
async fn max_buffer_size_rejects_with_a_max_buffer_error() {
    let ran = Client::new().option("maxBufferSize", 65_536).run("/giant?size=1048576").await;
    let error = ran.err();
    assert_eq!(prop_str(&error, "type").as_deref(), Some("max-buffer"), "{}", describe(&error));
    assert_eq!(prop_f64(&error, "limit"), Some(65_536.0));
    assert!(ran.log.messages.borrow().is_empty());
    assert_eq!(ran.log.fetch_count(), 1, "not retried");
    assert_eq!(ran.log.error_types(), ["max-buffer"]);
}
