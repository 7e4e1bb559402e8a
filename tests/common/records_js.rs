//! The package's record decoders, `pkg-template/records.js`, bound as they ship,
//! so that the wasm tests check the Rust encoders against the JS that reads
//! them rather than against a copy. Included by the wasm test files with
//! `#[path = "common/records_js.rs"] mod records_js;`.
//!
//! The tags are the Rust enums themselves; the package imports them from
//! `wasm_sse.js` under the same names (wasm-bindgen names an enum's JS object
//! and its keys after the Rust ones), so a name missing here fails the tests
//! that read it.

#![allow(dead_code)]

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_sse::wasm::parser::{ParserFlag, ParserRecord};

#[wasm_bindgen(module = "/pkg-template/records.js")]
extern "C" {
    /// `decodeBatch(wire, records, ascii, wide, state, handlers, stillCurrent)`.
    #[wasm_bindgen(js_name = decodeBatch, catch)]
    pub fn decode_batch(
        wire: &JsValue,
        records: &JsValue,
        ascii: &JsValue,
        wide: &JsValue,
        state: &JsValue,
        handlers: &JsValue,
        still_current: &JsValue,
    ) -> Result<(), JsValue>;

    /// `decodeWide(bytes)`: a batch's non-ASCII text, or `undefined`.
    #[wasm_bindgen(js_name = decodeWide)]
    pub fn decode_wide(bytes: &js_sys::Uint8Array) -> JsValue;

    /// The items of one `WasmDelta.push`, as delta.js queues them.
    pub type DeltaBatch;
    #[wasm_bindgen(constructor)]
    pub fn new(wire: &JsValue) -> DeltaBatch;
    #[wasm_bindgen(method)]
    pub fn event(this: &DeltaBatch, event: &str, data: &str);
    #[wasm_bindgen(method)]
    pub fn plain(this: &DeltaBatch, text: &str);
    /// `core` is a `WasmDelta` handed to JS; returns its status.
    #[wasm_bindgen(method, js_name = pushInto)]
    pub fn push_into(this: &DeltaBatch, core: &JsValue) -> u32;

    /// `readFlush(wire, core, finishing, textLength, reasoningLength)`:
    /// the decoded flush, or `undefined`.
    #[wasm_bindgen(js_name = readFlush)]
    pub fn read_flush(
        wire: &JsValue,
        core: &JsValue,
        finishing: bool,
        text_len: u32,
        reasoning_len: u32,
    ) -> JsValue;
}

/// `{ name: value }` for one enum.
fn enum_object(variants: &[(&str, u32)]) -> JsValue {
    let object = Object::new();
    for (name, value) in variants {
        Reflect::set(&object, &(*name).into(), &(*value).into()).unwrap();
    }
    object.into()
}

fn wire(enums: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in enums {
        Reflect::set(&object, &(*name).into(), value).unwrap();
    }
    object.into()
}

/// `{ ParserRecord, ParserFlag }`, as api.js passes them.
pub fn parser_wire() -> JsValue {
    use ParserRecord::*;
    let records = enum_object(&[
        ("Event", Event as u32),
        ("Retry", Retry as u32),
        ("Comment", Comment as u32),
        ("MaxBuffer", MaxBuffer as u32),
        ("InvalidRetry", InvalidRetry as u32),
        ("UnknownField", UnknownField as u32),
    ]);
    let flags = enum_object(&[
        ("HasType", ParserFlag::HasType as u32),
        ("NewId", ParserFlag::NewId as u32),
        ("Wide", ParserFlag::Wide as u32),
    ]);
    wire(&[("ParserRecord", records), ("ParserFlag", flags)])
}

/// `{ DeltaItem, DeltaStatus, DeltaChange }`, as delta.js passes them.
#[cfg(feature = "delta")]
pub fn delta_wire() -> JsValue {
    use wasm_sse::wasm::delta::{DeltaChange, DeltaItem, DeltaStatus};
    let items = enum_object(&[("Text", DeltaItem::Text as u32)]);
    let statuses = enum_object(&[
        ("Continue", DeltaStatus::Continue as u32),
        ("Done", DeltaStatus::Done as u32),
        ("Error", DeltaStatus::Error as u32),
    ]);
    let changes = enum_object(&[
        ("Reasoning", DeltaChange::Reasoning as u32),
        ("ToolCalls", DeltaChange::ToolCalls as u32),
        ("Usage", DeltaChange::Usage as u32),
        ("FinishReason", DeltaChange::FinishReason as u32),
        ("Restarted", DeltaChange::Restarted as u32),
        ("CodeFence", DeltaChange::CodeFence as u32),
    ]);
    wire(&[("DeltaItem", items), ("DeltaStatus", statuses), ("DeltaChange", changes)])
}

/// The non-ASCII text of `parser`'s last batch, read from wasm memory and
/// decoded as api.js does it.
pub fn wide_text(parser: &wasm_sse::wasm::parser::WasmParser) -> JsValue {
    let buffer = Reflect::get(&wasm_bindgen::memory(), &"buffer".into()).expect("the memory's buffer");
    let bytes = js_sys::Uint8Array::new_with_byte_offset_and_length(
        &buffer,
        parser.wide_ptr() as u32,
        parser.wide_len() as u32,
    );
    decode_wide(&bytes)
}
