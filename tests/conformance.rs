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

    /// The two texts of a batch and how far into each the decoding is.
    struct Texts {
        ascii: JsString,
        wide: JsString,
        ascii_at: u32,
        wide_at: u32,
    }

    impl Texts {
        fn take(parser: &mut WasmParser) -> Texts {
            Texts {
                ascii: parser.take_ascii().dyn_into().unwrap(),
                wide: parser.take_wide().dyn_into().unwrap(),
                ascii_at: 0,
                wide_at: 0,
            }
        }

        /// The next string, as `next()` in `pkg-template/api.js`.
        fn next(&mut self, end: u32) -> String {
            const WIDE: u32 = 1 << 31;
            if end & WIDE != 0 {
                let (from, to) = (self.wide_at, end & !WIDE);
                self.wide_at = to;
                let s: String = self.wide.slice(from, to).into();
                assert!(!s.is_ascii(), "{s:?} is ASCII but came in the wide text");
                s
            } else {
                let from = std::mem::replace(&mut self.ascii_at, end);
                self.ascii.slice(from, end).into()
            }
        }
    }

    /// Decodes records as `pkg-template/api.js` does.
    fn decode(records: &[u32], texts: &mut Texts, last_id: &mut String, out: &mut Vec<Value>) {
        let mut i = 0;
        while i < records.len() {
            let head = records[i];
            i += 1;
            match head & 0xff {
                1 => {
                    let data = texts.next(records[i]);
                    i += 1;
                    let mut event = "message".to_owned();
                    if head & (1 << 8) != 0 {
                        event = texts.next(records[i]);
                        i += 1;
                    }
                    if head & (1 << 9) != 0 {
                        *last_id = texts.next(records[i]);
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
                    out.push(serde_json::json!(["comment", texts.next(records[i])]));
                    i += 1;
                }
                4 => {
                    i += 2;
                    out.push(serde_json::json!(["error", "max-buffer"]));
                }
                5 => {
                    texts.next(records[i]);
                    i += 1;
                    out.push(serde_json::json!(["error", "invalid-retry"]));
                }
                6 => {
                    texts.next(records[i]);
                    texts.next(records[i + 1]);
                    i += 2;
                    out.push(serde_json::json!(["error", "unknown-field"]));
                }
                other => panic!("unknown record tag {other}"),
            }
        }
    }

    fn parse_in_batches(chunks: &[Vec<u8>]) -> Vec<Value> {
        let mut parser = WasmParser::new(Some(0.0), true, true);
        let mut last_id = String::new();
        let mut out = Vec::new();
        for chunk in chunks {
            let records = parser.feed_bytes(chunk);
            decode(&records, &mut Texts::take(&mut parser), &mut last_id, &mut out);
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
            // Every third event is ASCII, so both texts interleave.
            let text = if i % 3 == 0 { format!("plain {i}") } else { format!("é{i}🎉世") };
            input.push_str(&format!("id: {i}\ndata: {text}\n\n"));
        }
        let chunks: Vec<Vec<u8>> = input.as_bytes().chunks(777).map(<[u8]>::to_vec).collect();
        let got = parse_in_batches(&chunks);
        assert_eq!(got.len(), 500);
        for (i, item) in got.iter().enumerate() {
            let text = if i % 3 == 0 { format!("plain {i}") } else { format!("é{i}🎉世") };
            assert_eq!(item, &serde_json::json!(["event", "message", text, i.to_string()]));
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_limit_reaches_js_as_a_max_buffer_error() {
        let mut parser = WasmParser::new(Some(8.0), false, true);
        let records = parser.feed_bytes(b"data: far too long\n\ndata: ok\n\n");
        let mut out = Vec::new();
        decode(&records, &mut Texts::take(&mut parser), &mut String::new(), &mut out);
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
