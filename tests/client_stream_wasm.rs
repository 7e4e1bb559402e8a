//! The Rust face of the client, `wasm_sse::client::EventSource`, against the
//! local test server `tests/server/sse-server.mjs`, in headless Chromium, a
//! dedicated worker and Node. Run through `scripts/with-sse-server.mjs`, which
//! sets `WASM_BINDGEN_TEST_SERVER` (read at compile time), as the Makefile does.

#![cfg(all(target_arch = "wasm32", feature = "client"))]

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::StreamExt;
use js_sys::{Function, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test as test;
use wasm_sse::client::{ClientError, EventSource, Message, ReconnectOptions, StreamError};

fn url(path: &str) -> String {
    let server = option_env!("WASM_BINDGEN_TEST_SERVER")
        .expect("WASM_BINDGEN_TEST_SERVER is not set: run through scripts/with-sse-server.mjs");
    format!("{}{}", server.trim_end_matches('/'), path)
}

fn unique() -> String {
    format!("{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e12) as u64)
}

/// Every item of the stream until it ends.
async fn collect(source: EventSource) -> Vec<Result<Message, ClientError>> {
    source.connect().collect().await
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: Function =
            Reflect::get(&js_sys::global(), &"setTimeout".into()).unwrap().unchecked_into();
        set_timeout.call2(&JsValue::UNDEFINED, &resolve, &ms.into()).unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// The server's counters for `key` (see /stats).
async fn stats(key: &str) -> Value {
    let fetch: Function = Reflect::get(&js_sys::global(), &"fetch".into()).unwrap().unchecked_into();
    let path = url(&format!("/stats?key={}", String::from(js_sys::encode_uri_component(key))));
    let response = JsFuture::from(
        fetch.call1(&JsValue::UNDEFINED, &path.into()).unwrap().unchecked_into::<js_sys::Promise>(),
    );
    let response: web_sys::Response = response.await.unwrap().unchecked_into();
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    serde_json::from_str(&text.as_string().unwrap()).unwrap()
}

fn fast_retries() -> ReconnectOptions {
    ReconnectOptions::default().base_delay_ms(1).jitter(0.0)
}

#[test]
async fn events_arrive_in_order_with_sticky_ids_and_the_stream_ends_with_the_server() {
    let items = collect(EventSource::new(url("/dribble?n=3&interval=5"))).await;
    let got: Vec<(String, String)> = items.into_iter().map(|m| m.map(|m| (m.data, m.id)).unwrap()).collect();
    assert_eq!(got, [("1", "1"), ("2", "2"), ("3", "3")].map(|(d, i)| (d.to_owned(), i.to_owned())));
}

#[test]
async fn a_post_body_and_custom_headers_reach_the_server_on_every_attempt() {
    let key = unique();
    let source = EventSource::new(url(&format!("/echo?key={key}&drops=2")))
        .method("POST")
        .header("Content-Type", "application/json")
        .header("X-Custom", "yes")
        .body(r#"{"prompt":"héllo"}"#)
        .retry(fast_retries());
    let items = collect(source).await;
    // Two attempts end in a dropped socket before their event is complete or
    // after it: every event that did arrive must carry the full request.
    assert!(!items.is_empty());
    for item in &items {
        let echo: Value = serde_json::from_str(&item.as_ref().unwrap().data).unwrap();
        assert_eq!(echo["method"], "POST");
        assert_eq!(echo["body"], r#"{"prompt":"héllo"}"#);
        assert_eq!(echo["headers"]["x-custom"], "yes");
        assert_eq!(echo["headers"]["content-type"], "application/json");
        assert_eq!(echo["headers"]["accept"], "text/event-stream");
    }
    let last: Value = serde_json::from_str(&items.last().unwrap().as_ref().unwrap().data).unwrap();
    assert_eq!(last["attempt"], 3, "the third attempt is the first to end cleanly");
}

#[test]
async fn across_20_forced_disconnects_each_of_1000_events_arrives_exactly_once_in_order() {
    let stream = unique();
    // 48 events a connection: 21 connections, 20 forced disconnects.
    let source =
        EventSource::new(url(&format!("/drop?total=1000&every=48&stream={stream}"))).retry(fast_retries());
    let mut events = source.connect();
    let mut ids = Vec::new();
    while let Some(item) = events.next().await {
        ids.push(item.unwrap().id.parse::<u32>().unwrap());
    }
    assert_eq!(ids, (1..=1000).collect::<Vec<_>>());
    // A browser that loses the bytes before a drop needs a connection more.
    assert!(events.metrics().reconnects >= 20, "reconnects: {}", events.metrics().reconnects);
}

#[test]
async fn a_404_ends_the_stream_with_a_typed_error_carrying_the_status_and_body() {
    let items = collect(EventSource::new(url("/status?code=404&body=nope"))).await;
    assert_eq!(items.len(), 1);
    match &items[0] {
        Err(ClientError::Stream(StreamError::HttpStatus { status, body, .. })) => {
            assert_eq!(*status, 404);
            assert_eq!(body, "nope");
        }
        other => panic!("expected an http-status error, got {other:?}"),
    }
    assert_eq!(items[0].as_ref().unwrap_err().kind(), "http-status");
}

#[test]
async fn max_retries_stops_a_failing_server_with_the_last_error_inside() {
    let key = unique();
    let source = EventSource::new(url(&format!("/fail?code=500&k=99&key={key}")))
        .retry(fast_retries().max_retries(Some(2)));
    let items = collect(source).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().kind(), "max-retries");
}

#[test]
async fn the_retry_field_arrives_with_the_next_message() {
    let key = unique();
    let items = collect(EventSource::new(url(&format!("/retry?ms=5&attempts=1&key={key}")))).await;
    let first = items[0].as_ref().unwrap();
    assert_eq!(first.retry, Some(5));
}

#[test]
async fn dropping_the_stream_aborts_the_request() {
    // A fetch that keeps the signal it was given, to see what dropping does.
    let signals: Rc<RefCell<Vec<web_sys::AbortSignal>>> = Rc::default();
    let seen = Rc::clone(&signals);
    let fetch =
        Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |input: JsValue, init: JsValue| {
            let signal = Reflect::get(&init, &"signal".into()).unwrap();
            seen.borrow_mut().push(signal.unchecked_into());
            let global_fetch: Function =
                Reflect::get(&js_sys::global(), &"fetch".into()).unwrap().unchecked_into();
            global_fetch.call2(&JsValue::UNDEFINED, &input, &init).unwrap()
        });
    let fetch_fn: Function = fetch.as_ref().unchecked_ref::<Function>().clone();
    let mut events = EventSource::new(url("/stall?events=1")).fetch(fetch_fn).connect();
    assert!(events.next().await.unwrap().is_ok());
    assert_eq!(signals.borrow().len(), 1);
    assert!(!signals.borrow()[0].aborted());
    drop(events);
    // The loop notices on a later turn of the event loop.
    for _ in 0..100 {
        if signals.borrow()[0].aborted() {
            break;
        }
        sleep(20).await;
    }
    assert!(signals.borrow()[0].aborted(), "the request outlived its stream");
    drop(fetch);
}

#[test]
async fn an_invalid_header_name_is_a_js_error_not_a_retry_loop() {
    let items = collect(EventSource::new(url("/dribble?n=1")).header("bad header", "x")).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().kind(), "js");
}

// ------------------------------------------------------------------ dropping the stream

#[wasm_bindgen(inline_js = "
export function spyOnTimers() {
  const g = globalThis;
  const realSet = g.setTimeout;
  const realClear = g.clearTimeout;
  const live = new Set();
  g.setTimeout = function (callback, ms, ...args) {
    // Only timers set from wasm count: the runtime's own (Node's fetch keeps
    // some) are set from JS.
    const fromWasm = /wasm-function\\[/.test(new Error().stack ?? '');
    const id = realSet.call(g, (...a) => {
      live.delete(id);
      callback(...a);
    }, ms, ...args);
    if (fromWasm) live.add(id);
    return id;
  };
  g.clearTimeout = (id) => {
    live.delete(id);
    realClear.call(g, id);
  };
  return {
    live: () => live.size,
    restore() {
      g.setTimeout = realSet;
      g.clearTimeout = realClear;
    },
  };
}
")]
extern "C" {
    /// Wraps the global `setTimeout`/`clearTimeout` (which the client takes
    /// from the global scope at each use) to count the timers set from wasm
    /// since, and neither fired nor cleared.
    type TimerSpy;
    #[wasm_bindgen(js_name = spyOnTimers)]
    fn spy_on_timers() -> TimerSpy;
    #[wasm_bindgen(method)]
    fn live(this: &TimerSpy) -> u32;
    #[wasm_bindgen(method)]
    fn restore(this: &TimerSpy);
}

/// The global timers, watched while it lives.
struct Timers(TimerSpy);

impl Timers {
    fn spy() -> Timers {
        Timers(spy_on_timers())
    }

    /// Timers set by others (our own sleep's timer has fired when this runs).
    fn live(&self) -> u32 {
        self.0.live()
    }

    /// Waits until `done()` holds. Gives up (a failure naming `what`) after
    /// about ten seconds: a guard against waiting forever, not a timing
    /// assertion (each case happens within a few turns of the event loop).
    async fn until(&self, what: &str, mut done: impl FnMut(&Timers) -> bool) {
        for _ in 0..1000 {
            if done(self) {
                return;
            }
            sleep(10).await;
        }
        panic!("never happened: {what} ({} timers live)", self.live());
    }
}

impl Drop for Timers {
    fn drop(&mut self) {
        self.0.restore();
    }
}

/// A fetch that counts its calls and keeps each request's signal; with
/// `hold_until_abort`, a response reaches the client only after its signal aborted.
struct CountingFetch {
    signals: Rc<RefCell<Vec<web_sys::AbortSignal>>>,
    function: Function,
    _closure: Closure<dyn FnMut(JsValue, JsValue) -> JsValue>,
}

impl CountingFetch {
    fn new(hold_until_abort: bool) -> CountingFetch {
        let signals: Rc<RefCell<Vec<web_sys::AbortSignal>>> = Rc::default();
        let seen = Rc::clone(&signals);
        let closure =
            Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |input: JsValue, init: JsValue| {
                let signal: web_sys::AbortSignal =
                    Reflect::get(&init, &"signal".into()).unwrap().unchecked_into();
                seen.borrow_mut().push(signal.clone());
                let global_fetch: Function =
                    Reflect::get(&js_sys::global(), &"fetch".into()).unwrap().unchecked_into();
                let response: js_sys::Promise =
                    global_fetch.call2(&JsValue::UNDEFINED, &input, &init).unwrap().unchecked_into();
                if !hold_until_abort {
                    return response.into();
                }
                js_sys::Promise::new(&mut |resolve, _| {
                    let response = response.clone();
                    let release = Closure::once_into_js(move || {
                        let _ = resolve.call1(&JsValue::UNDEFINED, &response);
                    });
                    signal.add_event_listener_with_callback("abort", release.unchecked_ref()).unwrap();
                })
                .into()
            });
        let function = closure.as_ref().unchecked_ref::<Function>().clone();
        CountingFetch { signals, function, _closure: closure }
    }

    fn count(&self) -> usize {
        self.signals.borrow().len()
    }

    fn all_aborted(&self) -> bool {
        self.signals.borrow().iter().all(web_sys::AbortSignal::aborted)
    }
}

/// After `events` was dropped: every request is cancelled, no timer of the
/// client stays, and no request follows.
async fn assert_dropped_cleanly(timers: &Timers, fetch: &CountingFetch, fetches: usize) {
    timers
        .until("every request cancelled and every timer gone", |t| fetch.all_aborted() && t.live() == 0)
        .await;
    // A few more turns, for a fetch that a leftover task would still make.
    sleep(50).await;
    assert_eq!(fetch.count(), fetches, "a request followed the drop");
    assert_eq!(timers.live(), 0, "a timer was set after the drop");
}

#[test]
async fn dropping_the_stream_during_the_backoff_clears_the_timer_and_no_fetch_follows() {
    let key = unique();
    let timers = Timers::spy();
    let fetch = CountingFetch::new(false);
    // A backoff long enough that only the drop can end it.
    let source = EventSource::new(url(&format!("/fail?code=500&k=99&key={key}")))
        .retry(ReconnectOptions::default().base_delay_ms(60_000).jitter(0.0))
        .fetch(fetch.function.clone());
    let events = source.connect();
    timers
        .until("the first attempt failed and the backoff timer is set", |t| {
            fetch.count() == 1 && t.live() > 0
        })
        .await;
    drop(events);
    assert_dropped_cleanly(&timers, &fetch, 1).await;
    assert_eq!(stats(&key).await["attempts"]["fail"], 1, "the server saw one request");
}

#[test]
async fn dropping_the_stream_while_the_idle_timer_runs_clears_it_and_no_fetch_follows() {
    let timers = Timers::spy();
    let fetch = CountingFetch::new(false);
    let source = EventSource::new(url("/stall?events=1"))
        .idle_timeout_ms(60_000)
        .retry(fast_retries())
        .fetch(fetch.function.clone());
    let mut events = source.connect();
    assert!(events.next().await.unwrap().is_ok());
    assert!(timers.live() > 0, "the idle timer runs while the stream stalls");
    drop(events);
    assert_dropped_cleanly(&timers, &fetch, 1).await;
}

#[test]
async fn dropping_the_stream_before_the_headers_cancels_the_request_and_no_fetch_follows() {
    let key = unique();
    let timers = Timers::spy();
    // The response is held until the request's signal aborts: the drop comes first.
    let fetch = CountingFetch::new(true);
    let source = EventSource::new(url(&format!("/fail?code=500&k=99&key={key}")))
        .idle_timeout_ms(60_000)
        .retry(fast_retries())
        .fetch(fetch.function.clone());
    let events = source.connect();
    timers.until("the request went out", |_| fetch.count() == 1).await;
    drop(events);
    assert_dropped_cleanly(&timers, &fetch, 1).await;
}
