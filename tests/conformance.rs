//! The shared conformance cases (`tests/conformance/cases.json`, also run by the
//! JS package tests) against the core parser, natively and in wasm, and in wasm
//! also through the JS-facing batch format of `WasmParser`.
//!
//! Under wasm this file runs in headless Chromium, a dedicated worker and Node,
//! chosen by `WASM_BINDGEN_USE_*` (see the Makefile).

use serde_json::Value;
use wasm_sse::parser::{Item, Parser};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const CASES: &str = include_str!("conformance/cases.json");

struct Case {
    name: String,
    chunks: Vec<Vec<u8>>,
    items: Vec<Value>,
}

fn cases() -> Vec<Case> {
    let all: Value = serde_json::from_str(CASES).expect("cases.json is valid JSON");
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| Case {
            name: case["name"].as_str().unwrap().to_owned(),
            chunks: case["chunks"].as_array().unwrap().iter().map(chunk_bytes).collect(),
            items: case["items"].as_array().unwrap().clone(),
        })
        .collect()
}

fn chunk_bytes(chunk: &Value) -> Vec<u8> {
    match chunk {
        Value::String(text) => text.as_bytes().to_vec(),
        other => {
            let hex = other["hex"].as_str().unwrap();
            (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
        }
    }
}

/// An item in the JSON shape of the cases.
fn to_json(item: &Item) -> Value {
    match item {
        Item::Event { event, data, id } => serde_json::json!(["event", event, data, id]),
        Item::Retry(ms) => serde_json::json!(["retry", ms]),
        Item::Comment(text) => serde_json::json!(["comment", text]),
        Item::Error(error) => serde_json::json!(["error", error.kind()]),
    }
}

fn parse(chunks: impl IntoIterator<Item = Vec<u8>>) -> Vec<Value> {
    let mut parser = Parser::new();
    let mut items: Vec<Item> = Vec::new();
    for chunk in chunks {
        parser.feed(&chunk, &mut items);
    }
    items.iter().map(to_json).collect()
}

#[test]
fn every_conformance_case_parses_as_expected_in_its_chunks() {
    for case in cases() {
        assert_eq!(parse(case.chunks.clone()), case.items, "{}", case.name);
    }
}

#[test]
fn every_conformance_case_parses_the_same_one_byte_at_a_time() {
    for case in cases() {
        let bytes: Vec<u8> = case.chunks.concat();
        assert_eq!(parse(bytes.iter().map(|&b| vec![b])), case.items, "{}", case.name);
    }
}

/// The batch format JS sees: two texts plus records of UTF-16 end offsets,
/// decoded by the package's own `decodeBatch` (`pkg-template/records.js`).
#[cfg(target_arch = "wasm32")]
#[path = "common/records_js.rs"]
mod records_js;

#[cfg(target_arch = "wasm32")]
mod batches {
    use super::records_js::{decode_batch, parser_wire};
    use super::*;
    use js_sys::{Object, Reflect, Uint32Array};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use wasm_sse::wasm::parser::WasmParser;

    /// One batch as the parser hands it to JS.
    struct Batch {
        records: Vec<u32>,
        ascii: JsValue,
        wide: JsValue,
    }

    impl Batch {
        fn of(parser: &mut WasmParser, records: Vec<u32>) -> Batch {
            Batch { records, ascii: parser.take_ascii(), wide: super::records_js::wide_text(parser) }
        }
    }

    /// Decodes `batch` with the package's decoder into the JSON items of the
    /// cases; `state` is its `{ lastEventId }`, carried over batches.
    fn decode(batch: &Batch, state: &JsValue, out: &mut Vec<Value>) {
        let items: Rc<RefCell<Vec<Value>>> = Rc::default();
        let handlers = Object::new();
        let set = |name: &str, f: JsValue| Reflect::set(&handlers, &name.into(), &f).unwrap();
        let (seen, id) = (items.clone(), state.clone());
        set(
            "event",
            Closure::<dyn FnMut(String, String)>::new(move |event: String, data: String| {
                let id = Reflect::get(&id, &"lastEventId".into()).unwrap().as_string().unwrap();
                seen.borrow_mut().push(serde_json::json!(["event", event, data, id]));
            })
            .into_js_value(),
        );
        let seen = items.clone();
        set(
            "retry",
            Closure::<dyn FnMut(f64)>::new(move |ms: f64| {
                assert_eq!(ms.fract(), 0.0, "retry {ms}");
                seen.borrow_mut().push(serde_json::json!(["retry", ms as u64]));
            })
            .into_js_value(),
        );
        let seen = items.clone();
        set(
            "comment",
            Closure::<dyn FnMut(String)>::new(move |text: String| {
                seen.borrow_mut().push(serde_json::json!(["comment", text]));
            })
            .into_js_value(),
        );
        let seen = items.clone();
        set(
            "error",
            Closure::<dyn FnMut(JsValue)>::new(move |error: JsValue| {
                let kind = Reflect::get(&error, &"type".into()).unwrap().as_string().unwrap();
                seen.borrow_mut().push(serde_json::json!(["error", kind]));
            })
            .into_js_value(),
        );
        let still_current = Closure::<dyn Fn() -> bool>::new(|| true).into_js_value();
        let records: JsValue = Uint32Array::from(&batch.records[..]).into();
        decode_batch(&parser_wire(), &records, &batch.ascii, &batch.wide, state, &handlers, &still_current)
            .expect("decodeBatch throws nothing for these handlers");
        out.append(&mut items.borrow_mut());
    }

    fn new_state() -> JsValue {
        let state = Object::new();
        Reflect::set(&state, &"lastEventId".into(), &"".into()).unwrap();
        state.into()
    }

    fn parse_in_batches(chunks: &[Vec<u8>]) -> Vec<Value> {
        let mut parser = WasmParser::new(Some(0.0), true, true);
        let state = new_state();
        let mut out = Vec::new();
        for chunk in chunks {
            let records = parser.feed_bytes(chunk);
            decode(&Batch::of(&mut parser, records), &state, &mut out);
        }
        out
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn every_conformance_case_survives_the_js_batch_format() {
        for case in cases() {
            assert_eq!(parse_in_batches(&case.chunks), case.items, "{}", case.name);
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_batch_of_many_events_cuts_at_utf16_offsets() {
        let text =
            |i: usize| if i.is_multiple_of(3) { format!("plain {i}") } else { format!("é{i}🎉世") };
        let mut input = String::new();
        for i in 0..500 {
            // Every third event is ASCII, so both texts interleave.
            input.push_str(&format!("id: {i}\ndata: {}\n\n", text(i)));
        }
        let mut parser = WasmParser::new(Some(0.0), false, false);
        let records = parser.feed_bytes(input.as_bytes());
        let batch = Batch::of(&mut parser, records);
        // Pure-ASCII strings (the IDs among them) go to the one-byte text: the
        // second text holds exactly the non-ASCII ones.
        let wide: String = (0..500).map(text).filter(|t| !t.is_ascii()).collect();
        assert_eq!(batch.wide.as_string().as_deref(), Some(wide.as_str()));
        let mut got = Vec::new();
        decode(&batch, &new_state(), &mut got);
        assert_eq!(got.len(), 500);
        for (i, item) in got.iter().enumerate() {
            assert_eq!(item, &serde_json::json!(["event", "message", text(i), i.to_string()]));
        }
        // And the same cut into chunks of any size.
        let chunks: Vec<Vec<u8>> = input.as_bytes().chunks(777).map(<[u8]>::to_vec).collect();
        assert_eq!(parse_in_batches(&chunks), got);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_limit_reaches_js_as_a_max_buffer_error() {
        let mut parser = WasmParser::new(Some(8.0), false, true);
        let records = parser.feed_bytes(b"data: far too long\n\ndata: ok\n\n");
        let mut out = Vec::new();
        decode(&Batch::of(&mut parser, records), &new_state(), &mut out);
        assert_eq!(
            out,
            [serde_json::json!(["error", "max-buffer"]), serde_json::json!(["event", "message", "ok", ""])]
        );
    }
}

/// The table is generated: `make_cases.py --check` says it is what the script
/// makes, so the two cannot drift (native only: it runs Python).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_committed_table_is_what_make_cases_py_generates() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/make_cases.py");
    let out =
        std::process::Command::new("python3").arg(script).arg("--check").output().expect("python3 runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
