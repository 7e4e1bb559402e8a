//! The delta pipeline as seen from JS: `pkg-template/delta.js` wraps
//! [`WasmDelta`] into `createDeltaStream`.
//!
//! The boundary is crossed per batch, not per event:
//!
//! * events and texts pushed from JS are queued there and handed over together
//!   ([`WasmDelta::push`]): one string holding all their strings, and a
//!   `Uint32Array` of UTF-16 lengths that says where each one ends;
//! * raw event-stream bytes or text ([`WasmDelta::feed_bytes`]) are parsed,
//!   extracted and coalesced entirely here: no JS object per event;
//! * a flush returns one string, the new text followed by the live display tail,
//!   plus numbers read by getters. JS keeps the whole text itself by
//!   concatenation, so a flush costs the new text plus the tail, never the answer;
//! * the other channels cross only when they changed ([`WasmDelta::changes`]):
//!   the reasoning as the answer is, the tool calls as one JSON text of the
//!   changed calls (see [`WasmDelta::tool_calls`]), the usage as its JSON text.

use crate::delta::{DeltaError, Extractor, Markdown, Math, Pipeline, PipelineOptions, Status, ToolCall};
use crate::parser::{Event, ParseError, Parser, ParserOptions, Sink, DEFAULT_MAX_BUFFER_SIZE};
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

/// What a push or a feed returns. The one definition of the delta wire values:
/// the package's JS imports these enums from `wasm_sse.js` and hands them to
/// the encoder and decoder in `pkg-template/records.js`.
#[wasm_bindgen]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeltaStatus {
    /// The stream goes on.
    Continue = 0,
    /// The stream said it is complete; JS should finish.
    Done = 1,
    /// An error in the stream; take it with `take_error`, then finish.
    Error = 2,
}

/// On the head word of a pushed item (see [`WasmDelta::push`]).
#[wasm_bindgen]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeltaItem {
    /// The item is plain text, not an event to extract from. The low 31 bits
    /// are the UTF-16 length of the event type (0: `message`).
    Text = 0x8000_0000,
}

/// What else a flush carries: the bits of [`WasmDelta::changes`].
#[wasm_bindgen]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeltaChange {
    /// The reasoning changed.
    Reasoning = 1,
    /// The tool calls changed.
    ToolCalls = 2,
    /// The usage changed.
    Usage = 4,
    /// The finish reason arrived.
    FinishReason = 8,
    /// The answer started over: JS drops the text it kept.
    Restarted = 16,
    /// The answer's display ends inside an open code fence (on every such
    /// flush, not only when it changed): its info string is in the getter.
    CodeFence = 32,
}

/// The values above as the numbers that cross the boundary.
mod wire {
    use super::{DeltaChange, DeltaItem, DeltaStatus};
    pub(super) const TEXT: u32 = DeltaItem::Text as u32;
    pub(super) const CONTINUE: u32 = DeltaStatus::Continue as u32;
    pub(super) const DONE: u32 = DeltaStatus::Done as u32;
    pub(super) const ERROR: u32 = DeltaStatus::Error as u32;
    pub(super) const REASONING: u32 = DeltaChange::Reasoning as u32;
    pub(super) const TOOL_CALLS: u32 = DeltaChange::ToolCalls as u32;
    pub(super) const USAGE: u32 = DeltaChange::Usage as u32;
    pub(super) const FINISH_REASON: u32 = DeltaChange::FinishReason as u32;
    pub(super) const RESTARTED: u32 = DeltaChange::Restarted as u32;
    pub(super) const CODE_FENCE: u32 = DeltaChange::CodeFence as u32;
}

/// Splits `s` after `units` UTF-16 code units. A cut that would fall inside a
/// surrogate pair (JS never sends one) goes after the pair instead.
fn split_utf16(s: &str, units: u32, ascii: bool) -> (&str, &str) {
    if ascii {
        return s.split_at((units as usize).min(s.len()));
    }
    let mut n = 0u32;
    for (i, c) in s.char_indices() {
        if n >= units {
            return s.split_at(i);
        }
        n += c.len_utf16() as u32;
    }
    (s, "")
}

/// The parser's events go straight into the pipeline.
struct Extract<'a> {
    pipeline: &'a mut Pipeline,
    /// The first error of the chunk; later events are ignored.
    error: Option<DeltaError>,
    done: bool,
}

impl Sink for Extract<'_> {
    fn on_event(&mut self, event: Event<'_>) {
        if self.error.is_some() || self.done {
            return;
        }
        match self.pipeline.push_event(event.event, event.data) {
            Ok(Status::Done) => self.done = true,
            Ok(_) => {}
            Err(e) => self.error = Some(e),
        }
    }

    fn on_error(&mut self, error: ParseError) {
        // The parser drops an over-long event and goes on; text without that
        // event would be silently wrong, so the stream fails instead.
        if let ParseError::MaxBufferSize { limit } = error {
            self.error.get_or_insert(DeltaError::MaxBufferSize { limit });
        }
    }
}

/// The pipeline behind `createDeltaStream`. Not for direct use: the record
/// format is private to the package (`records.js`) and may change. `Clone`
/// gives a second handle on the same pipeline (the wasm tests hand one to JS).
#[wasm_bindgen]
#[derive(Clone)]
pub struct WasmDelta {
    core: Rc<RefCell<Core>>,
}

/// A second handle on the pipeline of a [`WasmDelta`], for `fetchEventSource`'s
/// `delta` option: the client pushes each event's text in as it parses, while
/// `delta.js` keeps flushing through the [`WasmDelta`].
#[wasm_bindgen]
pub struct DeltaLink {
    core: Rc<RefCell<Core>>,
}

impl DeltaLink {
    /// Pushes one event (ignored once the stream has ended or failed). Returns
    /// the status after it.
    pub(crate) fn push_event(&self, event: &str, data: &str) -> u32 {
        let mut core = self.core.borrow_mut();
        if core.failed {
            return wire::ERROR;
        }
        if core.pipeline.is_done() {
            return wire::DONE;
        }
        match core.pipeline.push_event(event, data) {
            Ok(Status::Done) => wire::DONE,
            Ok(_) => wire::CONTINUE,
            Err(e) => core.fail(e),
        }
    }

    /// Starts the answer over (the client had to send the request again and
    /// the stream cannot resume): the next flush says so.
    pub(crate) fn restart(&self) {
        let mut core = self.core.borrow_mut();
        if !core.failed {
            core.pipeline.restart();
        }
    }
}

struct Core {
    pipeline: Pipeline,
    /// Created on the first [`WasmDelta::feed_bytes`].
    parser: Option<Parser>,
    error: Option<DeltaError>,
    /// An error ended the stream: input is refused from then on.
    failed: bool,
    /// Of the last flush, in UTF-16 units.
    stable_len: u32,
    text_len: u32,
    /// What else the last flush carries, and its parts for the getters.
    changes: u32,
    reasoning: Option<String>,
    reasoning_stable_len: u32,
    reasoning_text_len: u32,
    tool_calls: Option<String>,
    usage: Option<String>,
    finish_reason: Option<String>,
    code_fence: Option<String>,
}

impl Core {
    fn fail(&mut self, e: DeltaError) -> u32 {
        self.failed = true;
        self.error = Some(e);
        wire::ERROR
    }
}

#[wasm_bindgen]
impl WasmDelta {
    /// `format`: a preset name or a JSON pointer (see [`Extractor::from_name`]);
    /// `markdown`: 0 off, 1 hold, 2 heal; `math`: 0 off, 1 dollar, 2 latex, 3
    /// both. `None` (JS `undefined`) for an
    /// unknown format or an invalid pointer.
    pub fn create(format: &str, markdown: u8, math: u8) -> Option<WasmDelta> {
        let markdown = match markdown {
            0 => Markdown::Off,
            1 => Markdown::Hold,
            _ => Markdown::Heal,
        };
        // Bits: 1 for `$` math, 2 for `\(` `\[` math.
        let math = match math {
            0 => Math::Off,
            1 => Math::Dollar,
            2 => Math::Latex,
            _ => Math::Both,
        };
        let extractor = Extractor::from_name(format)?;
        let core = Core {
            pipeline: Pipeline::new(PipelineOptions::new(extractor).markdown(markdown).math(math)),
            parser: None,
            error: None,
            failed: false,
            stable_len: 0,
            text_len: 0,
            changes: 0,
            reasoning: None,
            reasoning_stable_len: 0,
            reasoning_text_len: 0,
            tool_calls: None,
            usage: None,
            finish_reason: None,
            code_fence: None,
        };
        Some(WasmDelta { core: Rc::new(RefCell::new(core)) })
    }

    /// Starts the answer over (see [`Pipeline::restart`]). Events queued in JS
    /// must have been pushed first.
    pub fn restart(&self) {
        self.link().restart();
    }

    /// A handle for `fetchEventSource` to push events into this pipeline.
    pub fn link(&self) -> DeltaLink {
        DeltaLink { core: Rc::clone(&self.core) }
    }

    /// Pushes a batch of items. `strings` is, for each item in order, its event
    /// type then its data; `records` holds two words per item: the type's UTF-16
    /// length (0 for `message`), with [`DeltaItem::Text`] set for plain text, then the
    /// data's UTF-16 length. Stops at the first error. Returns a [`DeltaStatus`].
    pub fn push(&self, strings: &str, records: &[u32]) -> u32 {
        let mut core = self.core.borrow_mut();
        if core.failed {
            return wire::ERROR;
        }
        let ascii = strings.is_ascii();
        let mut rest = strings;
        for item in records.chunks_exact(2) {
            let (head, data_len) = (item[0], item[1]);
            let (event, after) = split_utf16(rest, head & !wire::TEXT, ascii);
            let (data, after) = split_utf16(after, data_len, ascii);
            rest = after;
            if head & wire::TEXT != 0 {
                core.pipeline.push_text(data);
                continue;
            }
            let event = if event.is_empty() { "message" } else { event };
            match core.pipeline.push_event(event, data) {
                Ok(Status::Done) => return wire::DONE,
                Ok(_) => {}
                Err(e) => return core.fail(e),
            }
        }
        if core.pipeline.is_done() {
            wire::DONE
        } else {
            wire::CONTINUE
        }
    }

    /// Parses raw event-stream bytes (any split) and pushes every event's text,
    /// without a JS object per event. Returns a [`DeltaStatus`].
    pub fn feed_bytes(&self, chunk: &[u8]) -> u32 {
        let mut core = self.core.borrow_mut();
        if core.failed {
            return wire::ERROR;
        }
        let Core { parser, pipeline, .. } = &mut *core;
        // Bounded as the client is: a line that never ends fails as invalid
        // input instead of growing without end.
        let parser = parser.get_or_insert_with(|| {
            Parser::with_options(ParserOptions::default().max_buffer_size(Some(DEFAULT_MAX_BUFFER_SIZE)))
        });
        let mut sink = Extract { pipeline, error: None, done: false };
        parser.feed(chunk, &mut sink);
        if let Some(e) = sink.error {
            return core.fail(e);
        }
        if core.pipeline.is_done() {
            wire::DONE
        } else {
            wire::CONTINUE
        }
    }

    /// Like [`WasmDelta::feed_bytes`] for text (JS has kept a trailing lone high
    /// surrogate back for the next chunk).
    pub fn feed_str(&self, chunk: &str) -> u32 {
        self.feed_bytes(chunk.as_bytes())
    }

    /// The error that made a call return the error status, as a JS `Error`
    /// named `DeltaError` with a string `type`; `undefined` if none. Once.
    pub fn take_error(&self) -> JsValue {
        let mut core = self.core.borrow_mut();
        core.error.take().map_or(JsValue::UNDEFINED, |e| to_js_error(&e).into())
    }

    /// Flushes what can be shown safely, or everything with `finish`. Returns the
    /// new text followed by the display tail, or `undefined` when there is
    /// nothing new (never with `finish`). [`WasmDelta::text_len`] minus the
    /// length of the text JS had gives where the new text ends.
    pub fn flush(&self, finish: bool) -> Option<String> {
        self.take_flush(if finish { Take::Finish } else { Take::Flush })
    }

    /// Like [`WasmDelta::flush`], with the held-back grapheme clusters too
    /// ([`Pipeline::release`]): after a pause in the stream.
    pub fn release(&self) -> Option<String> {
        self.take_flush(Take::Release)
    }
}

/// Which flush [`WasmDelta::take_flush`] takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Take {
    Flush,
    Finish,
    Release,
}

impl WasmDelta {
    fn take_flush(&self, take: Take) -> Option<String> {
        let finish = take == Take::Finish;
        let mut core = self.core.borrow_mut();
        let Core { pipeline, .. } = &mut *core;
        let f = match take {
            Take::Flush => pipeline.flush()?,
            Take::Finish => pipeline.finish(),
            Take::Release => pipeline.release()?,
        };
        let mut out = String::with_capacity(f.delta.len() + f.display_tail.len());
        out.push_str(f.delta);
        out.push_str(f.display_tail);
        let mut changes = 0;
        let (mut reasoning, mut reasoning_lens, mut tool_calls, mut usage, mut finish_reason) =
            (None, (0, 0), None, None, None);
        if f.restarted {
            changes |= wire::RESTARTED;
        }
        let code_fence = f.code_fence.map(str::to_owned);
        if code_fence.is_some() {
            changes |= wire::CODE_FENCE;
        }
        if let Some(r) = f.reasoning.filter(|_| f.changed.reasoning || finish) {
            changes |= wire::REASONING;
            let mut text = String::with_capacity(r.delta.len() + r.display_tail.len());
            text.push_str(r.delta);
            text.push_str(r.display_tail);
            reasoning = Some(text);
            reasoning_lens = (r.stable_len_utf16 as u32, r.text_len_utf16 as u32);
        }
        if f.changed.tool_calls {
            changes |= wire::TOOL_CALLS;
            tool_calls = Some(encode_tool_calls(f.tool_calls));
        }
        if f.changed.usage {
            changes |= wire::USAGE;
            usage = f.usage.map(str::to_owned);
        }
        if f.changed.finish_reason {
            changes |= wire::FINISH_REASON;
            finish_reason = f.finish_reason.map(str::to_owned);
        }
        let (stable_len, text_len) = (f.stable_len_utf16 as u32, f.text_len_utf16 as u32);
        core.stable_len = stable_len;
        core.text_len = text_len;
        core.changes = changes;
        core.reasoning = reasoning;
        (core.reasoning_stable_len, core.reasoning_text_len) = reasoning_lens;
        core.tool_calls = tool_calls;
        core.usage = usage;
        core.finish_reason = finish_reason;
        core.code_fence = code_fence;
        Some(out)
    }
}

#[wasm_bindgen]
impl WasmDelta {
    /// What else the last flush carries: a sum of [`DeltaChange`] bits.
    pub fn changes(&self) -> u32 {
        self.core.borrow().changes
    }

    /// The reasoning of the last flush, when it changed: its new text then its
    /// display tail, split as for the answer by the two lengths below.
    pub fn reasoning(&self) -> Option<String> {
        self.core.borrow_mut().reasoning.take()
    }

    /// UTF-16 length of the reasoning's stable display part.
    pub fn reasoning_stable_len(&self) -> u32 {
        self.core.borrow().reasoning_stable_len
    }

    /// UTF-16 length of all reasoning text flushed so far.
    pub fn reasoning_text_len(&self) -> u32 {
        self.core.borrow().reasoning_text_len
    }

    /// The calls the last flush changed, as one JSON array of
    /// `[index, id, name, argumentsDelta, done, inputReset, [inputOps...]]`
    /// (id and name `null` until known; `done` and `inputReset` 0 or 1; the
    /// input operations of `src/delta/json/partial.rs`).
    pub fn tool_calls(&self) -> Option<String> {
        self.core.borrow_mut().tool_calls.take()
    }

    /// The merged usage object as JSON text, when it changed.
    pub fn usage(&self) -> Option<String> {
        self.core.borrow_mut().usage.take()
    }

    /// The finish reason, when it arrived.
    pub fn finish_reason(&self) -> Option<String> {
        self.core.borrow_mut().finish_reason.take()
    }

    /// The info string of the code fence the answer's display ends inside.
    pub fn code_fence(&self) -> Option<String> {
        self.core.borrow_mut().code_fence.take()
    }

    /// UTF-16 length of the stable part of the display after the last flush.
    pub fn stable_len(&self) -> u32 {
        self.core.borrow().stable_len
    }

    /// UTF-16 length of all text flushed so far.
    pub fn text_len(&self) -> u32 {
        self.core.borrow().text_len
    }
}

/// See [`WasmDelta::tool_calls`].
fn encode_tool_calls(calls: &[ToolCall]) -> String {
    let mut out = String::from("[");
    for call in calls.iter().filter(|c| c.changed()) {
        if out.len() > 1 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&call.index().to_string());
        for text in [call.id(), call.name()] {
            out.push(',');
            match text {
                Some(text) => quote(text, &mut out),
                None => out.push_str("null"),
            }
        }
        out.push(',');
        quote(call.arguments_delta(), &mut out);
        out.push_str(if call.done() { ",1" } else { ",0" });
        out.push_str(if call.input_reset() { ",1,[" } else { ",0,[" });
        out.push_str(call.input_ops());
        out.push_str("]]");
    }
    out.push(']');
    out
}

/// Writes `text` as a JSON string.
fn quote(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The JS face of a [`DeltaError`]: an `Error` named `DeltaError` whose `type`
/// is [`DeltaError::kind`], with `code` (the server's error type or code) for a
/// stream error and `at` (a byte offset in the data) for invalid JSON.
fn to_js_error(e: &DeltaError) -> js_sys::Error {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("DeltaError");
    let set = |key: &str, value: JsValue| {
        // Setting a property on a fresh Error cannot fail.
        let _ = js_sys::Reflect::set(&err, &JsValue::from_str(key), &value);
    };
    set("type", JsValue::from_str(e.kind()));
    match e {
        DeltaError::Stream { kind, .. } => {
            set("code", kind.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str))
        }
        DeltaError::InvalidJson { at } => set("at", JsValue::from_f64(*at as f64)),
        DeltaError::MaxBufferSize { limit } => set("limit", JsValue::from_f64(*limit as f64)),
    }
    err
}
