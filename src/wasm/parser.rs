//! The parser as seen from JS: `pkg-template/api.js` wraps [`WasmParser`] into
//! `createParser`.
//!
//! Crossing the wasm/JS boundary costs about as much as parsing a small event,
//! and decoding one JS string per event costs more than that. So a feed returns
//! one batch for the whole chunk: all the strings of all its events concatenated
//! into a text (one `TextDecoder` call), plus a `Uint32Array` of records that
//! say where each string ends, in UTF-16 units, so JS cuts them out with
//! `String.prototype.slice` (which V8 makes without copying).
//!
//! There are two texts: pure-ASCII strings go to one and all others to a second.
//! A browser decodes ASCII into a one-byte string more than twice as fast as it
//! turns mixed text into a two-byte string, and most LLM events are ASCII; one
//! non-ASCII character would otherwise make the whole batch two-byte. JS decodes
//! the second text itself, from wasm memory (`decodeWide` in `records.js`): Node 20
//! decodes non-ASCII text twice as fast with `{ stream: true }` (ICU) as without
//! (what wasm-bindgen's strings use), and ASCII the other way round.

use crate::parser::{max_buffer_size_from_js, Event, ParseError, Parser, ParserOptions, Sink};
use alloc::string::String;
use alloc::vec::Vec;
use wasm_bindgen::prelude::*;

/// The kind of a batch record: the low byte of its first word (the next byte
/// holds [`ParserFlag`]s). The one definition of the tags: the package's JS
/// imports these enums from `wasm_sse.js` and hands them to the decoder in
/// `pkg-template/records.js`.
#[wasm_bindgen]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParserRecord {
    /// `[Event | flags, data_end, type_end if HasType, id_end if NewId]`
    Event = 1,
    /// `[Retry, ms_low, ms_high]`
    Retry = 2,
    /// `[Comment, text_end]`
    Comment = 3,
    /// `[MaxBuffer, limit_low, limit_high]`
    MaxBuffer = 4,
    /// `[InvalidRetry, value_end]`
    InvalidRetry = 5,
    /// `[UnknownField, field_end, value_end]`
    UnknownField = 6,
}

/// Flags on the words of a batch record (see [`ParserRecord`]).
#[wasm_bindgen]
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParserFlag {
    /// On an event's head: the event type is not `message` and follows the data.
    HasType = 0x100,
    /// On an event's head: the last event ID changed and follows.
    NewId = 0x200,
    /// On a string's end offset: the string is in the non-ASCII text.
    Wide = 0x8000_0000,
}

const WIDE: u32 = ParserFlag::Wide as u32;

/// The strings and records of one batch, built by the parser's callbacks.
#[derive(Default)]
pub(crate) struct Batch {
    /// The pure-ASCII strings, concatenated.
    ascii: String,
    /// The other strings, concatenated.
    wide: String,
    /// Length of `wide` in UTF-16 code units (for `ascii` it is its byte length).
    wide_utf16: u32,
    pub(crate) records: Vec<u32>,
    /// The last event ID JS has been told, so an unchanged ID is not sent again.
    id_sent: String,
    pub(crate) wants_comments: bool,
    pub(crate) wants_errors: bool,
}

impl Batch {
    /// Starts a batch. Clears what JS has not taken (a callback threw, or reset),
    /// so it cannot shift the offsets of this batch.
    pub(crate) fn start(&mut self) {
        self.ascii.clear();
        self.wide.clear();
        self.wide_utf16 = 0;
        self.records.clear();
    }

    /// The ASCII text as a JS string, and the non-ASCII text's UTF-8 bytes,
    /// which JS decodes (see the module doc); the next [`Batch::start`] clears
    /// them. An empty ASCII text is `undefined`, not a string made in JS: each
    /// string made is a call into JS.
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn texts(&self) -> (JsValue, &[u8]) {
        let ascii = if self.ascii.is_empty() { JsValue::UNDEFINED } else { JsValue::from_str(&self.ascii) };
        (ascii, self.wide.as_bytes())
    }

    /// Appends `s` to one of the texts and returns where it ends there, in
    /// UTF-16 units, with [`ParserFlag::Wide`] set for the non-ASCII text.
    fn push_str(&mut self, s: &str) -> u32 {
        if is_ascii(s.as_bytes()) {
            self.ascii.push_str(s);
            self.ascii.len() as u32
        } else {
            self.wide.push_str(s);
            self.wide_utf16 = self.wide_utf16.wrapping_add(utf16_len(s));
            self.wide_utf16 | WIDE
        }
    }

    fn push_u64(&mut self, kind: ParserRecord, n: u64) {
        self.records.extend_from_slice(&[kind as u32, n as u32, (n >> 32) as u32]);
    }
}

impl Sink for Batch {
    fn on_event(&mut self, event: Event<'_>) {
        let mut head = ParserRecord::Event as u32;
        let at = self.records.len();
        self.records.push(0);
        let end = self.push_str(event.data);
        self.records.push(end);
        if event.event != "message" {
            head |= ParserFlag::HasType as u32;
            let end = self.push_str(event.event);
            self.records.push(end);
        }
        if event.id != self.id_sent {
            head |= ParserFlag::NewId as u32;
            self.id_sent.clear();
            self.id_sent.push_str(event.id);
            let end = self.push_str(event.id);
            self.records.push(end);
        }
        self.records[at] = head;
    }

    fn on_retry(&mut self, ms: u64) {
        self.push_u64(ParserRecord::Retry, ms);
    }

    fn on_comment(&mut self, comment: &str) {
        if self.wants_comments {
            let end = self.push_str(comment);
            self.records.extend_from_slice(&[ParserRecord::Comment as u32, end]);
        }
    }

    fn on_error(&mut self, error: ParseError) {
        if !self.wants_errors {
            return;
        }
        match error {
            ParseError::MaxBufferSize { limit } => self.push_u64(ParserRecord::MaxBuffer, limit as u64),
            ParseError::InvalidRetry { value } => {
                let end = self.push_str(&value);
                self.records.extend_from_slice(&[ParserRecord::InvalidRetry as u32, end]);
            }
            ParseError::UnknownField { field, value } => {
                let field_end = self.push_str(&field);
                let value_end = self.push_str(&value);
                self.records.extend_from_slice(&[ParserRecord::UnknownField as u32, field_end, value_end]);
            }
        }
    }
}

/// Whether all bytes are ASCII. Written as a branch-free fold so that the
/// compiler vectorises it (std's `is_ascii` is compiled without wasm SIMD).
fn is_ascii(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |any, &b| any | b) < 0x80
}

/// UTF-16 length of a string, as the records give it.
fn utf16_len(s: &str) -> u32 {
    crate::utf16::utf16_len(s) as u32
}

/// The incremental parser behind `createParser`. Not for direct use: the record
/// format is private to the package (`records.js`) and may change.
#[wasm_bindgen]
pub struct WasmParser {
    parser: Parser,
    batch: Batch,
    /// Where JS writes a string chunk's UTF-8 (`TextEncoder.encodeInto`
    /// straight into wasm memory, see [`WasmParser::input_area`]).
    input: Vec<u8>,
}

/// The wasm memory, for JS to write into [`WasmParser::input_area`].
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

#[wasm_bindgen]
impl WasmParser {
    /// `max_buffer_size` as the JS option: see [`max_buffer_size_from_js`].
    #[wasm_bindgen(constructor)]
    pub fn new(max_buffer_size: Option<f64>, wants_comments: bool, wants_errors: bool) -> WasmParser {
        let limit = max_buffer_size_from_js(max_buffer_size);
        WasmParser {
            parser: Parser::with_options(ParserOptions::default().max_buffer_size(limit)),
            batch: Batch { wants_comments, wants_errors, ..Batch::default() },
            input: Vec::new(),
        }
    }

    /// Room for `len` bytes of input: where it starts in wasm memory. JS
    /// writes the chunk there, then calls [`WasmParser::feed_input`]. The room
    /// only grows; it is zero-filled when it does, never per chunk. Any call
    /// into wasm may move the memory's buffer: JS takes its view after this.
    pub fn input_area(&mut self, len: usize) -> usize {
        if self.input.len() < len {
            self.input.resize(len, 0);
        }
        self.input.as_ptr() as usize
    }

    /// Parses the first `len` bytes JS wrote into [`WasmParser::input_area`].
    /// Bytes that are not UTF-8 decode as U+FFFD like any other input.
    pub fn feed_input(&mut self, len: usize) -> Vec<u32> {
        self.batch.start();
        let len = len.min(self.input.len());
        self.parser.feed(&self.input[..len], &mut self.batch);
        self.take_records()
    }

    /// Parses a chunk of bytes and returns the records; their strings follow
    /// from [`WasmParser::take_ascii`] and [`WasmParser::wide_len`]. (Text
    /// goes through [`WasmParser::input_area`] instead.)
    pub fn feed_bytes(&mut self, chunk: &[u8]) -> Vec<u32> {
        self.batch.start();
        self.parser.feed(chunk, &mut self.batch);
        self.take_records()
    }

    /// Dispatches an unfinished line and block, then resets. See [`Parser::consume`].
    pub fn consume(&mut self) -> Vec<u32> {
        self.batch.start();
        self.parser.consume(&mut self.batch);
        self.take_records()
    }

    /// Forgets an unfinished line and block. See [`Parser::reset`].
    pub fn reset(&mut self) {
        self.parser.reset();
    }

    /// The ASCII text of the last batch, once; later calls return "" until the
    /// next feed.
    pub fn take_ascii(&mut self) -> JsValue {
        let text = JsValue::from_str(&self.batch.ascii);
        self.batch.ascii.clear();
        text
    }

    /// The length in bytes of the non-ASCII text of the last batch (UTF-8,
    /// at [`WasmParser::wide_ptr`]), which JS decodes itself (see the module
    /// doc). It stays until the next feed.
    pub fn wide_len(&self) -> usize {
        self.batch.wide.len()
    }

    /// Where the non-ASCII text of the last batch starts in wasm memory.
    pub fn wide_ptr(&self) -> usize {
        self.batch.wide.as_ptr() as usize
    }

    fn take_records(&mut self) -> Vec<u32> {
        core::mem::take(&mut self.batch.records)
    }
}
