//! `WasmDelta`, the wasm face of the delta pipeline that `pkg-template/delta.js`
//! wraps: its batch format, UTF-16 lengths, statuses and typed JS errors.
//!
//! Runs only as wasm, in headless Chromium, a dedicated worker and Node, chosen
//! by `WASM_BINDGEN_USE_*` (see the Makefile).

#![cfg(all(target_arch = "wasm32", feature = "delta"))]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test as test;
use wasm_sse::wasm::delta::WasmDelta;

// The wire values of src/wasm/delta.rs and delta.js.
const TEXT: u32 = 1 << 31;
const CONTINUE: u32 = 0;
const DONE: u32 = 1;
const ERROR: u32 = 2;
const OFF: u8 = 0;
const HOLD: u8 = 1;
const HEAL: u8 = 2;

fn units(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

/// An item of a batch, as delta.js queues it.
enum Item<'a> {
    Event(&'a str, &'a str),
    Text(&'a str),
}

fn batch(items: &[Item<'_>]) -> (String, Vec<u32>) {
    let mut strings = String::new();
    let mut records = Vec::new();
    for item in items {
        match *item {
            Item::Event(event, data) => {
                let event = if event == "message" { "" } else { event };
                strings.push_str(event);
                strings.push_str(data);
                records.extend([units(event), units(data)]);
            }
            Item::Text(text) => {
                strings.push_str(text);
                records.extend([TEXT, units(text)]);
            }
        }
    }
    (strings, records)
}

fn openai(content: &str) -> String {
    format!(r#"{{"choices":[{{"index":0,"delta":{{"content":{}}}}}]}}"#, serde_json::json!(content))
}

/// What JS makes of the flushes: the text by concatenation, and each display.
#[derive(Default)]
struct Js {
    text: String,
    deltas: Vec<String>,
    displays: Vec<String>,
}

impl Js {
    /// Mirrors delta.js's `deliver`: cut the returned string where the new text
    /// ends, by UTF-16 lengths.
    fn flush(&mut self, core: &mut WasmDelta, finish: bool) -> bool {
        let Some(out) = core.flush(finish) else { return false };
        let added = core.text_len() - units(&self.text);
        let cut = out.char_indices().scan(0, |n, (i, c)| {
            let at = (*n, i);
            *n += c.len_utf16() as u32;
            Some(at)
        });
        let split = cut.into_iter().find(|&(n, _)| n == added).map_or(out.len(), |(_, i)| i);
        let (delta, tail) = out.split_at(split);
        self.text.push_str(delta);
        let stable = core.stable_len();
        let prefix: Vec<u16> = self.text.encode_utf16().take(stable as usize).collect();
        self.displays.push(String::from_utf16(&prefix).unwrap() + tail);
        self.deltas.push(delta.to_owned());
        assert_eq!(core.text_len(), units(&self.text), "text_len is the UTF-16 length of the text");
        true
    }
}

fn prop(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

#[test]
fn a_batch_of_openai_events_flushes_once_and_the_deltas_add_up_to_the_text() {
    let mut core = WasmDelta::create("openai", OFF).unwrap();
    let mut js = Js::default();
    let (e1, e2, e3) = (openai("Hé"), openai("llo 👍"), openai("🏽 wörld"));
    let (s, r) = batch(&[
        Item::Event("message", r#"{"choices":[{"delta":{"role":"assistant"}}]}"#),
        Item::Event("message", &e1),
        Item::Event("message", &e2),
    ]);
    assert_eq!(core.push(&s, &r), CONTINUE);
    assert!(js.flush(&mut core, false));
    // The thumbs-up may still take a skin tone: it waits.
    assert_eq!(js.text, "Héllo ");
    let (s, r) = batch(&[Item::Event("message", &e3), Item::Event("message", "[DONE]")]);
    assert_eq!(core.push(&s, &r), DONE);
    assert!(js.flush(&mut core, true));
    assert_eq!(js.text, "Héllo 👍🏽 wörld");
    assert_eq!(js.deltas.concat(), js.text);
    assert_eq!(js.displays.last().unwrap(), &js.text);
}

#[test]
fn event_types_and_data_are_cut_at_utf16_lengths_in_a_non_ascii_batch() {
    let mut core = WasmDelta::create("anthropic", OFF).unwrap();
    let mut js = Js::default();
    let delta = |t: &str| {
        format!(
            r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":{}}}}}"#,
            serde_json::json!(t)
        )
    };
    let (a, b) = (delta("日本語 "), delta("𝄞 clef"));
    let (s, r) = batch(&[
        Item::Event("message_start", r#"{"type":"message_start","message":{"content":[]}}"#),
        Item::Event("content_block_delta", &a),
        Item::Event("ping", r#"{"type":"ping"}"#),
        // Without an `event:` field the type comes from the data.
        Item::Event("message", &b),
    ]);
    assert_eq!(core.push(&s, &r), CONTINUE);
    let (s, r) = batch(&[Item::Event("message_stop", r#"{"type":"message_stop"}"#)]);
    assert_eq!(core.push(&s, &r), DONE);
    js.flush(&mut core, true);
    assert_eq!(js.text, "日本語 𝄞 clef");
}

#[test]
fn plain_text_items_are_taken_as_is_between_events() {
    let mut core = WasmDelta::create("text", OFF).unwrap();
    let mut js = Js::default();
    let (s, r) = batch(&[Item::Text("a{b}"), Item::Event("message", "ç"), Item::Text("🎉!"), Item::Text("")]);
    assert_eq!(core.push(&s, &r), CONTINUE);
    js.flush(&mut core, true);
    assert_eq!(js.text, "a{b}ç🎉!");
}

#[test]
fn raw_event_stream_bytes_cut_anywhere_give_the_same_text_as_whole() {
    let stream: String = ["Hi **", "bold** ", "día ", "👩‍💻"]
        .iter()
        .map(|c| format!("data: {}\n\n", openai(c)))
        .chain(["data: [DONE]\n\n".to_owned()])
        .collect();
    let mut whole = WasmDelta::create("openai", HEAL).unwrap();
    let mut js_whole = Js::default();
    assert_eq!(whole.feed_bytes(stream.as_bytes()), DONE);
    js_whole.flush(&mut whole, true);
    assert_eq!(js_whole.text, "Hi **bold** día 👩‍💻");

    let mut bytes = WasmDelta::create("openai", HEAL).unwrap();
    let mut js = Js::default();
    let mut status = CONTINUE;
    for b in stream.as_bytes() {
        status = bytes.feed_bytes(std::slice::from_ref(b));
        js.flush(&mut bytes, false);
    }
    assert_eq!(status, DONE);
    js.flush(&mut bytes, true);
    assert_eq!(js.text, js_whole.text);
    assert_eq!(js.deltas.concat(), js.text);
    assert_eq!(js.displays.last(), Some(&js.text));
}

#[test]
fn a_stream_error_becomes_a_js_error_with_a_string_type_and_the_text_so_far_is_kept() {
    let mut core = WasmDelta::create("anthropic", HOLD).unwrap();
    let mut js = Js::default();
    let text = r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"partial"}}"#;
    let error = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let (s, r) = batch(&[
        Item::Event("content_block_delta", text),
        Item::Event("error", error),
        Item::Event("content_block_delta", text),
    ]);
    assert_eq!(core.push(&s, &r), ERROR);
    let err = core.take_error();
    let err = err.dyn_ref::<js_sys::Error>().expect("a JS Error");
    assert_eq!(err.name(), "DeltaError");
    assert_eq!(prop(err, "type").as_string().as_deref(), Some("stream-error"));
    assert_eq!(prop(err, "code").as_string().as_deref(), Some("overloaded_error"));
    assert!(String::from(err.message()).contains("Overloaded"));
    assert!(core.take_error().is_undefined(), "an error is taken once");
    // The stream is over: more input is refused, the text before the error stays.
    assert_eq!(core.push(&s, &r), ERROR);
    assert_eq!(core.feed_bytes(b"data: {}\n\n"), ERROR);
    js.flush(&mut core, true);
    assert_eq!(js.text, "partial");
}

#[test]
fn invalid_json_from_raw_bytes_is_an_invalid_json_error_with_its_offset() {
    let mut core = WasmDelta::create("/choices/0/text", OFF).unwrap();
    assert_eq!(
        core.feed_bytes(b"data: {\"choices\":[{\"text\":\"ok\"}]}\n\ndata: {\"choices\" [1]}\n\n"),
        ERROR
    );
    let err = core.take_error();
    assert_eq!(prop(&err, "type").as_string().as_deref(), Some("invalid-json"));
    assert!(prop(&err, "at").as_f64().is_some());
    let mut js = Js::default();
    js.flush(&mut core, true);
    assert_eq!(js.text, "ok");
}

#[test]
fn an_unknown_format_or_an_invalid_pointer_makes_no_pipeline() {
    assert!(WasmDelta::create("gemini", OFF).is_none());
    assert!(WasmDelta::create("/a~2b", OFF).is_none());
    assert!(WasmDelta::create("/a/0/b", OFF).is_some());
    assert!(WasmDelta::create("openai-responses", HEAL).is_some());
}

#[test]
fn heal_hands_out_the_new_text_and_a_closed_tail_and_finish_takes_the_closers_away() {
    let mut core = WasmDelta::create("text", HEAL).unwrap();
    let mut js = Js::default();
    let (s, r) = batch(&[Item::Text("Some **bold te")]);
    core.push(&s, &r);
    js.flush(&mut core, false);
    assert_eq!(js.text, "Some **bold t");
    assert_eq!(js.displays.last().unwrap(), "Some **bold t**");
    // Nothing new but the held-back cluster: no flush.
    assert!(!js.flush(&mut core, false));
    js.flush(&mut core, true);
    assert_eq!(js.displays.last().unwrap(), "Some **bold te");
}

#[test]
fn a_finished_stream_ignores_later_events() {
    let mut core = WasmDelta::create("openai-responses", OFF).unwrap();
    let d = r#"{"type":"response.output_text.delta","delta":"one"}"#;
    let (s, r) = batch(&[
        Item::Event("response.output_text.delta", d),
        Item::Event("response.completed", r#"{"type":"response.completed"}"#),
        Item::Event("response.output_text.delta", d),
    ]);
    assert_eq!(core.push(&s, &r), DONE);
    let mut js = Js::default();
    js.flush(&mut core, true);
    assert_eq!(js.text, "one");
}
