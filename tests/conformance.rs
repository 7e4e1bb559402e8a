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

/// The batch format JS sees: one text plus records of UTF-16 end offsets.
#[cfg(target_arch = "wasm32")]
mod batches {
    use super::*;
    use js_sys::JsString;
    use wasm_bindgen::JsCast;
    use wasm_sse::wasm::parser::WasmParser;

    /// Decodes records as `pkg-template/api.js` does.
    fn decode(records: &[u32], text: &JsString, last_id: &mut String, out: &mut Vec<Value>) {
        let mut pos = 0u32;
        let mut i = 0;
        let take = |end: u32, pos: &mut u32| {
            let s: String = text.slice(*pos, end).into();
            *pos = end;
            s
        };
        while i < records.len() {
            let head = records[i];
            i += 1;
            match head & 0xff {
                1 => {
                    let data = take(records[i], &mut pos);
                    i += 1;
                    let mut event = "message".to_owned();
                    if head & (1 << 8) != 0 {
                        event = take(records[i], &mut pos);
                        i += 1;
                    }
                    if head & (1 << 9) != 0 {
                        *last_id = take(records[i], &mut pos);
                        i += 1;
                    }
                    out.push(serde_json::json!(["event", event, data, last_id]));
                }
                2 => {
                    let ms = u64::from(records[i]) | (u64::from(records[i + 1]) << 32);
                    i += 2;
                    out.push(serde_json::json!(["retry", ms]));
                }
                3 => {
                    out.push(serde_json::json!(["comment", take(records[i], &mut pos)]));
                    i += 1;
                }
                4 => {
                    i += 2;
                    out.push(serde_json::json!(["error", "max-buffer"]));
                }
                5 => {
                    take(records[i], &mut pos);
                    i += 1;
                    out.push(serde_json::json!(["error", "invalid-retry"]));
                }
                6 => {
                    take(records[i + 1], &mut pos);
                    i += 2;
                    out.push(serde_json::json!(["error", "unknown-field"]));
                }
                other => panic!("unknown record tag {other}"),
            }
        }
    }

    fn parse_in_batches(chunks: &[Vec<u8>]) -> Vec<Value> {
        let mut parser = WasmParser::new(0.0, true, true);
        let mut last_id = String::new();
        let mut out = Vec::new();
        for chunk in chunks {
            let records = parser.feed_bytes(chunk);
            let text: JsString = parser.take_text().dyn_into().unwrap();
            decode(&records, &text, &mut last_id, &mut out);
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
        let mut input = String::new();
        for i in 0..500 {
            input.push_str(&format!("id: {i}\ndata: é{i}🎉世\n\n"));
        }
        let chunks: Vec<Vec<u8>> = input.as_bytes().chunks(777).map(<[u8]>::to_vec).collect();
        let got = parse_in_batches(&chunks);
        assert_eq!(got.len(), 500);
        for (i, item) in got.iter().enumerate() {
            assert_eq!(item, &serde_json::json!(["event", "message", format!("é{i}🎉世"), i.to_string()]));
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_limit_reaches_js_as_a_max_buffer_error() {
        let mut parser = WasmParser::new(8.0, false, true);
        let records = parser.feed_bytes(b"data: far too long\n\ndata: ok\n\n");
        let text: JsString = parser.take_text().dyn_into().unwrap();
        let mut out = Vec::new();
        decode(&records, &text, &mut String::new(), &mut out);
        assert_eq!(
            out,
            [serde_json::json!(["error", "max-buffer"]), serde_json::json!(["event", "message", "ok", ""])]
        );
    }
}
