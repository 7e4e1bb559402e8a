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
    let source =
        EventSource::new(url(&format!("/drop?total=1000&every=50&stream={stream}"))).retry(fast_retries());
    let mut events = source.connect();
    let mut ids = Vec::new();
    while let Some(item) = events.next().await {
        ids.push(item.unwrap().id.parse::<u32>().unwrap());
    }
    assert_eq!(ids, (1..=1000).collect::<Vec<_>>());
    assert!(events.metrics().reconnects >= 19, "reconnects: {}", events.metrics().reconnects);
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
