//! `WasmDelta`, the wasm face of the delta pipeline that `pkg-template/delta.js`
//! wraps: its batch format, UTF-16 lengths, statuses and typed JS errors, through
//! the package's own encoder and decoder (`pkg-template/records.js`).
//!
//! Runs only as wasm, in headless Chromium, a dedicated worker and Node, chosen
//! by `WASM_BINDGEN_USE_*` (see the Makefile).

#![cfg(all(target_arch = "wasm32", feature = "delta"))]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test as test;
use wasm_sse::wasm::delta::{DeltaStatus, WasmDelta};

#[path = "common/records_js.rs"]
mod records_js;
use records_js::{delta_wire, read_flush, DeltaBatch};

const CONTINUE: u32 = DeltaStatus::Continue as u32;
const DONE: u32 = DeltaStatus::Done as u32;
const ERROR: u32 = DeltaStatus::Error as u32;
// The `markdown` argument of `WasmDelta::create`.
const OFF: u8 = 0;
const HOLD: u8 = 1;
const HEAL: u8 = 2;
// Its `math` argument: no math, `$` math.
const NO_MATH: u8 = 0;
const DOLLAR_MATH: u8 = 1;

fn units(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

/// An item of a batch.
enum Item<'a> {
    Event(&'a str, &'a str),
    Text(&'a str),
}

fn openai(content: &str) -> String {
    format!(r#"{{"choices":[{{"index":0,"delta":{{"content":{}}}}}]}}"#, serde_json::json!(content))
}

/// The pipeline as delta.js drives it: batches encoded and flushes decoded by
/// the package's `pkg-template/records.js`; the text kept by concatenation, and
/// each display.
struct Js {
    /// A second handle on the pipeline, handed to JS.
    core: JsValue,
    /// A third, for the Rust-side checks.
    rust: WasmDelta,
    text: String,
    deltas: Vec<String>,
    displays: Vec<String>,
}

impl Js {
    fn new(core: &WasmDelta) -> Js {
        Js {
            core: core.clone().into(),
            rust: core.clone(),
            text: String::new(),
            deltas: Vec::new(),
            displays: Vec::new(),
        }
    }

    /// Pushes `items` as one batch, as delta.js queues them; returns the status.
    fn push(&self, items: &[Item<'_>]) -> u32 {
        let batch = DeltaBatch::new(&delta_wire());
        for item in items {
            match *item {
                Item::Event(event, data) => batch.event(event, data),
                Item::Text(text) => batch.plain(text),
            }
        }
        batch.push_into(&self.core)
    }

    /// Flushes through `readFlush`; false when there was nothing new.
    fn flush(&mut self, finish: bool) -> bool {
        let flush = read_flush(&delta_wire(), &self.core, finish, units(&self.text), 0);
        if flush.is_undefined() {
            return false;
        }
        let delta = prop(&flush, "delta").as_string().unwrap();
        let tail = prop(&flush, "displayTail").as_string().unwrap();
        let stable = prop(&flush, "stableLength").as_f64().unwrap() as usize;
        self.text.push_str(&delta);
        let prefix: Vec<u16> = self.text.encode_utf16().take(stable).collect();
        self.displays.push(String::from_utf16(&prefix).unwrap() + &tail);
        self.deltas.push(delta);
        assert_eq!(self.rust.text_len(), units(&self.text), "text_len is the UTF-16 length of the text");
        true
    }
}

fn prop(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

#[test]
fn a_batch_of_openai_events_flushes_once_and_the_deltas_add_up_to_the_text() {
    let core = WasmDelta::create("openai", OFF, NO_MATH).unwrap();
    let mut js = Js::new(&core);
    let (e1, e2, e3) = (openai("Hé"), openai("llo 👍"), openai("🏽 wörld"));
    let items = [
        Item::Event("message", r#"{"choices":[{"delta":{"role":"assistant"}}]}"#),
        Item::Event("message", &e1),
        Item::Event("message", &e2),
    ];
    assert_eq!(js.push(&items), CONTINUE);
    assert!(js.flush(false));
    // The thumbs-up may still take a skin tone: it waits.
    assert_eq!(js.text, "Héllo ");
    let items = [Item::Event("message", &e3), Item::Event("message", "[DONE]")];
    assert_eq!(js.push(&items), DONE);
    assert!(js.flush(true));
    assert_eq!(js.text, "Héllo 👍🏽 wörld");
    assert_eq!(js.deltas.concat(), js.text);
    assert_eq!(js.displays.last().unwrap(), &js.text);
}

#[test]
fn event_types_and_data_are_cut_at_utf16_lengths_in_a_non_ascii_batch() {
    let core = WasmDelta::create("anthropic", OFF, NO_MATH).unwrap();
    let mut js = Js::new(&core);
    let delta = |t: &str| {
        format!(
            r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":{}}}}}"#,
            serde_json::json!(t)
        )
    };
    let (a, b) = (delta("日本語 "), delta("𝄞 clef"));
    let items = [
        Item::Event("message_start", r#"{"type":"message_start","message":{"content":[]}}"#),
        Item::Event("content_block_delta", &a),
        Item::Event("ping", r#"{"type":"ping"}"#),
        // Without an `event:` field the type comes from the data.
        Item::Event("message", &b),
    ];
    assert_eq!(js.push(&items), CONTINUE);
    let items = [Item::Event("message_stop", r#"{"type":"message_stop"}"#)];
    assert_eq!(js.push(&items), DONE);
    js.flush(true);
    assert_eq!(js.text, "日本語 𝄞 clef");
}

#[test]
fn plain_text_items_are_taken_as_is_between_events() {
    let core = WasmDelta::create("text", OFF, NO_MATH).unwrap();
    let mut js = Js::new(&core);
    let items = [Item::Text("a{b}"), Item::Event("message", "ç"), Item::Text("🎉!"), Item::Text("")];
    assert_eq!(js.push(&items), CONTINUE);
    js.flush(true);
    assert_eq!(js.text, "a{b}ç🎉!");
}

#[test]
fn the_math_option_reaches_the_pipeline() {
    for (math, display) in [(NO_MATH, "so $x^2"), (DOLLAR_MATH, "so ")] {
        let core = WasmDelta::create("text", HOLD, math).unwrap();
        let mut js = Js::new(&core);
        assert_eq!(js.push(&[Item::Text("so $x^2 ")]), CONTINUE);
        js.flush(false);
        assert_eq!(js.displays.last().map(String::as_str), Some(display), "math {math}");
    }
}

#[test]
fn a_reference_label_matches_its_definition_case_insensitively_in_wasm_too() {
    // The wasm build lowercases non-ASCII labels with the platform's toLowerCase.
    for (label, shown) in [("AGW", true), ("ΑΓΩ", true), ("ΑΓΩΣ", false)] {
        let core = WasmDelta::create("text", HOLD, NO_MATH).unwrap();
        let mut js = Js::new(&core);
        // (The last character is held back until the next shows it complete.)
        let doc = format!("[αγω]: /a\n[agw]: /b\n\nsee [x][{label}] ");
        assert_eq!(js.push(&[Item::Text(&doc)]), CONTINUE);
        js.flush(false);
        let display = js.displays.last().unwrap();
        assert_eq!(display.ends_with(']'), shown, "{label}: {display:?}");
    }
}

#[test]
fn raw_event_stream_bytes_cut_anywhere_give_the_same_text_as_whole() {
    let stream: String = ["Hi **", "bold** ", "día ", "👩‍💻"]
        .iter()
        .map(|c| format!("data: {}\n\n", openai(c)))
        .chain(["data: [DONE]\n\n".to_owned()])
        .collect();
    let whole = WasmDelta::create("openai", HEAL, NO_MATH).unwrap();
    let mut js_whole = Js::new(&whole);
    assert_eq!(whole.feed_bytes(stream.as_bytes()), DONE);
    js_whole.flush(true);
    assert_eq!(js_whole.text, "Hi **bold** día 👩‍💻");

    let bytes = WasmDelta::create("openai", HEAL, NO_MATH).unwrap();
    let mut js = Js::new(&bytes);
    let mut status = CONTINUE;
    for b in stream.as_bytes() {
        status = bytes.feed_bytes(std::slice::from_ref(b));
        js.flush(false);
    }
    assert_eq!(status, DONE);
    js.flush(true);
    assert_eq!(js.text, js_whole.text);
    assert_eq!(js.deltas.concat(), js.text);
    assert_eq!(js.displays.last(), Some(&js.text));
}

#[test]
fn a_stream_error_becomes_a_js_error_with_a_string_type_and_the_text_so_far_is_kept() {
    let core = WasmDelta::create("anthropic", HOLD, NO_MATH).unwrap();
    let mut js = Js::new(&core);
    let text = r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"partial"}}"#;
    let error = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let items = [
        Item::Event("content_block_delta", text),
        Item::Event("error", error),
        Item::Event("content_block_delta", text),
    ];
    assert_eq!(js.push(&items), ERROR);
    let err = core.take_error();
    let err = err.dyn_ref::<js_sys::Error>().expect("a JS Error");
    assert_eq!(err.name(), "DeltaError");
    assert_eq!(prop(err, "type").as_string().as_deref(), Some("stream-error"));
    assert_eq!(prop(err, "code").as_string().as_deref(), Some("overloaded_error"));
    assert!(String::from(err.message()).contains("Overloaded"));
    assert!(core.take_error().is_undefined(), "an error is taken once");
    // The stream is over: more input is refused, the text before the error stays.
    assert_eq!(js.push(&items), ERROR);
    assert_eq!(core.feed_bytes(b"data: {}\n\n"), ERROR);
    js.flush(true);
    assert_eq!(js.text, "partial");
}

#[test]
fn invalid_json_from_raw_bytes_is_an_invalid_json_error_with_its_offset() {
    let core = WasmDelta::create("/choices/0/text", OFF, NO_MATH).unwrap();
    assert_eq!(
        core.feed_bytes(b"data: {\"choices\":[{\"text\":\"ok\"}]}\n\ndata: {\"choices\" [1]}\n\n"),
        ERROR
    );
    let err = core.take_error();
    assert_eq!(prop(&err, "type").as_string().as_deref(), Some("invalid-json"));
    assert!(prop(&err, "at").as_f64().is_some());
    let mut js = Js::new(&core);
    js.flush(true);
    assert_eq!(js.text, "ok");
}

#[test]
fn an_unknown_format_or_an_invalid_pointer_makes_no_pipeline() {
    assert!(WasmDelta::create("gemini", OFF, NO_MATH).is_none());
    assert!(WasmDelta::create("/a~2b", OFF, NO_MATH).is_none());
    assert!(WasmDelta::create("/a/0/b", OFF, NO_MATH).is_some());
    assert!(WasmDelta::create("openai-responses", HEAL, NO_MATH).is_some());
}

#[test]
fn heal_hands_out_the_new_text_and_a_closed_tail_and_finish_takes_the_closers_away() {
    let core = WasmDelta::create("text", HEAL, NO_MATH).unwrap();
    let mut js = Js::new(&core);
    let items = [Item::Text("Some **bold te")];
    js.push(&items);
    js.flush(false);
    assert_eq!(js.text, "Some **bold t");
    assert_eq!(js.displays.last().unwrap(), "Some **bold t**");
    // Nothing new but the held-back cluster: no flush.
    assert!(!js.flush(false));
    js.flush(true);
    assert_eq!(js.displays.last().unwrap(), "Some **bold te");
}

#[test]
fn a_finished_stream_ignores_later_events() {
    let core = WasmDelta::create("openai-responses", OFF, NO_MATH).unwrap();
    let d = r#"{"type":"response.output_text.delta","delta":"one"}"#;
    let items = [
        Item::Event("response.output_text.delta", d),
        Item::Event("response.completed", r#"{"type":"response.completed"}"#),
        Item::Event("response.output_text.delta", d),
    ];
    let mut js = Js::new(&core);
    assert_eq!(js.push(&items), DONE);
    js.flush(true);
    assert_eq!(js.text, "one");
}

#[test]
fn reasoning_tool_calls_usage_and_the_finish_reason_cross_as_readflush_decodes_them() {
    let core = WasmDelta::create("openai", OFF, NO_MATH).unwrap();
    let js = Js::new(&core);
    let chunk = |delta: serde_json::Value, finish: serde_json::Value| {
        serde_json::json!({"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}).to_string()
    };
    let (thinking, call, args, end) = (
        chunk(serde_json::json!({"reasoning_content": "Let me see 🤔 now!"}), serde_json::Value::Null),
        chunk(
            serde_json::json!({"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{\"a\":"}}]}),
            serde_json::Value::Null,
        ),
        chunk(
            serde_json::json!({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}),
            "tool_calls".into(),
        ),
        serde_json::json!({"choices": [], "usage": {"total_tokens": 7}}).to_string(),
    );
    let items = [Item::Event("message", &thinking), Item::Event("message", &call)];
    assert_eq!(js.push(&items), CONTINUE);
    let first = read_flush(&delta_wire(), &js.core, false, 0, 0);
    let reasoning = prop(&first, "reasoning");
    // The last character may still take a combining mark: it waits.
    let reasoning_delta = prop(&reasoning, "delta").as_string().unwrap();
    assert_eq!(reasoning_delta, "Let me see 🤔 now");
    let calls = js_sys::Array::from(&prop(&first, "toolCalls"));
    assert_eq!(calls.length(), 1);
    let call = calls.get(0);
    assert_eq!(prop(&call, "index").as_f64(), Some(0.0));
    assert_eq!(prop(&call, "id").as_string().as_deref(), Some("c1"));
    assert_eq!(prop(&call, "name").as_string().as_deref(), Some("f"));
    assert_eq!(prop(&call, "argumentsDelta").as_string().as_deref(), Some("{\"a\":"));
    assert_eq!(prop(&call, "done").as_bool(), Some(false));
    assert!(js_sys::Array::is_array(&prop(&call, "inputOps")));
    assert!(prop(&first, "usage").is_undefined() && prop(&first, "finishReason").is_undefined());

    let items = [Item::Event("message", &args), Item::Event("message", &end)];
    js.push(&items);
    let reasoning_len = units(&reasoning_delta);
    let second = read_flush(&delta_wire(), &js.core, true, 0, reasoning_len);
    let reasoning = prop(&second, "reasoning");
    assert_eq!(
        prop(&reasoning, "delta").as_string().as_deref(),
        Some("!"),
        "the rest, counted from what JS had"
    );
    let call = js_sys::Array::from(&prop(&second, "toolCalls")).get(0);
    assert_eq!(prop(&call, "argumentsDelta").as_string().as_deref(), Some("1}"));
    assert_eq!(prop(&call, "done").as_bool(), Some(true));
    assert_eq!(prop(&prop(&second, "usage"), "total_tokens").as_f64(), Some(7.0));
    assert_eq!(prop(&second, "finishReason").as_string().as_deref(), Some("tool_calls"));
    assert_eq!(prop(&second, "restarted").as_bool(), Some(false));
}

#[test]
fn a_restart_reaches_js_as_restarted_and_counts_the_text_from_zero() {
    let core = WasmDelta::create("text", OFF, NO_MATH).unwrap();
    let mut js = Js::new(&core);
    js.push(&[Item::Text("first try")]);
    assert!(js.flush(false));
    core.restart();
    js.push(&[Item::Text("again")]);
    let flush = read_flush(&delta_wire(), &js.core, true, units(&js.text), 0);
    assert_eq!(prop(&flush, "restarted").as_bool(), Some(true));
    assert_eq!(prop(&flush, "delta").as_string().as_deref(), Some("again"));
}
