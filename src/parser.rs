//! The event-stream parser: bytes in, events out, no I/O.
//!
//! It implements the WHATWG HTML "Server-sent events" parsing algorithm
//! (<https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream>)
//! over byte chunks of any size. The spec decodes the whole stream as UTF-8
//! first and then splits lines; we split lines on the raw bytes and decode each
//! field value on its own. The two are the same: the line terminators and `:`
//! are ASCII, and a UTF-8 decoder never swallows an ASCII byte (an ASCII byte
//! inside a broken sequence ends that sequence with U+FFFD and is then decoded
//! as itself), so every code point lies inside one line.
//!
//! ```
//! use wasm_sse::parser::{Parser, Item};
//!
//! let mut parser = Parser::new();
//! let mut items: Vec<Item> = Vec::new();
//! parser.feed(b"id: 7\ndata: hel", &mut items);
//! parser.feed(b"lo\n\n", &mut items);
//! assert_eq!(items, [Item::Event { event: "message".into(), data: "hello".into(), id: "7".into() }]);
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// One dispatched event, borrowed from the parser for the length of the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// The event type: the last `event:` field of the block, or `"message"`.
    pub event: &'a str,
    /// The `data:` lines of the block joined with LF.
    pub data: &'a str,
    /// The stream's last event ID after this event: sticky, so an event without an
    /// `id:` field carries the ID of the last one that had it.
    pub id: &'a str,
    /// Whether the event's own block set the ID with an `id:` field (which may
    /// repeat the last one), rather than carrying it over.
    pub has_id: bool,
}

/// Something that can go wrong while parsing. None of them stops the parser.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// A line, or the data of one event, grew past `max_buffer_size` bytes. The
    /// line was dropped, and so is the event it belonged to (a comment line drops
    /// only itself); parsing resumes after the next line end.
    MaxBufferSize {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// A `retry:` field whose value is not all ASCII digits; it was ignored, as the
    /// spec says.
    InvalidRetry {
        /// The field value.
        value: String,
    },
    /// A field with a name the spec does not know; it was ignored, as the spec says.
    UnknownField {
        /// The field name.
        field: String,
        /// The field value.
        value: String,
    },
}

impl ParseError {
    /// A short stable name, the same as the `type` of the JS error.
    pub fn kind(&self) -> &'static str {
        match self {
            ParseError::MaxBufferSize { .. } => "max-buffer",
            ParseError::InvalidRetry { .. } => "invalid-retry",
            ParseError::UnknownField { .. } => "unknown-field",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::MaxBufferSize { limit } => {
                write!(f, "a line or event exceeded the maximum buffer size of {limit} bytes")
            }
            ParseError::InvalidRetry { value } => {
                write!(f, "invalid retry value {}: expected ASCII digits", Quoted(value))
            }
            ParseError::UnknownField { field, .. } => write!(f, "unknown field {}", Quoted(field)),
        }
    }
}

/// A string in messages: in double quotes, with `"`, `\` and control
/// characters escaped. Not `{:?}`: the shipped wasm is built without `Debug`
/// output (see `WASM_BUILD_STD` in the Makefile), and messages must not
/// depend on how it was built.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let mut from = 0;
        for (i, c) in self.0.char_indices() {
            if c == '"' || c == '\\' || c.is_control() {
                f.write_str(&self.0[from..i])?;
                match c {
                    '"' => f.write_str("\\\"")?,
                    '\\' => f.write_str("\\\\")?,
                    '\n' => f.write_str("\\n")?,
                    '\r' => f.write_str("\\r")?,
                    '\t' => f.write_str("\\t")?,
                    _ => write!(f, "\\u{{{:x}}}", c as u32)?,
                }
                from = i + c.len_utf8();
            }
        }
        f.write_str(&self.0[from..])?;
        f.write_str("\"")
    }
}

impl core::error::Error for ParseError {}

/// Receives what the parser finds. Only [`Sink::on_event`] is required.
pub trait Sink {
    /// A blank line dispatched an event with data.
    fn on_event(&mut self, event: Event<'_>);
    /// A valid `retry:` field set the reconnection time, in milliseconds
    /// (saturating at `u64::MAX`).
    fn on_retry(&mut self, _ms: u64) {}
    /// A comment line (`:` then text); one leading space is removed.
    fn on_comment(&mut self, _comment: &str) {}
    /// A recoverable problem; see [`ParseError`].
    fn on_error(&mut self, _error: ParseError) {}
}

/// An owned record of what the parser found, for tests and simple uses: a
/// `Vec<Item>` is a [`Sink`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// See [`Sink::on_event`].
    Event {
        /// See [`Event::event`].
        event: String,
        /// See [`Event::data`].
        data: String,
        /// See [`Event::id`].
        id: String,
    },
    /// See [`Sink::on_retry`].
    Retry(u64),
    /// See [`Sink::on_comment`].
    Comment(String),
    /// See [`Sink::on_error`].
    Error(ParseError),
}

impl Sink for Vec<Item> {
    fn on_event(&mut self, e: Event<'_>) {
        self.push(Item::Event { event: e.event.into(), data: e.data.into(), id: e.id.into() });
    }
    fn on_retry(&mut self, ms: u64) {
        self.push(Item::Retry(ms));
    }
    fn on_comment(&mut self, comment: &str) {
        self.push(Item::Comment(comment.into()));
    }
    fn on_error(&mut self, error: ParseError) {
        self.push(Item::Error(error));
    }
}

/// The buffer limit the clients (`fetchEventSource`, `createDeltaStream`,
/// `createParser`, the Rust `EventSource`) use unless told otherwise: 32 MiB.
///
/// Why this number: a stream's one event may legitimately be large (an LLM
/// tool result, a base64 image of a few MB), so the limit must sit far above
/// that; and a tab must survive reaching it: the line is held as bytes, then as
/// a JS string of up to twice that, well inside what a browser tab can hold.
/// A server that never ends a line then fails with `max-buffer` instead of
/// taking the tab down. The sans-IO [`Parser`] itself has no limit unless
/// given one.
pub const DEFAULT_MAX_BUFFER_SIZE: usize = 32 * 1024 * 1024;

/// The buffer limit a JS option asks for: `undefined` (`None`) is the default
/// ([`DEFAULT_MAX_BUFFER_SIZE`]), `0` or `Infinity` no limit, anything else
/// that many bytes.
pub fn max_buffer_size_from_js(option: Option<f64>) -> Option<usize> {
    match option {
        None => Some(DEFAULT_MAX_BUFFER_SIZE),
        Some(n) if n >= 1.0 && n.is_finite() => Some(n as usize),
        Some(_) => None,
    }
}

/// Parser settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParserOptions {
    /// The most bytes one buffered line, or the data of one event, may hold.
    /// `None` (the default) means no limit.
    pub max_buffer_size: Option<usize>,
}

impl ParserOptions {
    /// Sets [`ParserOptions::max_buffer_size`].
    pub fn max_buffer_size(mut self, limit: Option<usize>) -> Self {
        self.max_buffer_size = limit;
        self
    }
}

/// How far the parser is into recognising a leading byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// This many bytes of the stream so far equal the start of the BOM.
    Bom(u8),
    /// Past the start of the stream.
    Body,
}

/// An incremental, spec-exact event-stream parser. See the module docs.
#[derive(Debug, Clone)]
pub struct Parser {
    options: ParserOptions,
    start: Start,
    /// The bytes of a line whose end has not arrived yet.
    line: Vec<u8>,
    /// The current line overflowed: drop bytes up to the next line end.
    skipping_line: bool,
    /// The last chunk ended in CR, so an LF that starts the next chunk belongs to it.
    after_cr: bool,
    data: Vec<u8>,
    event_type: Vec<u8>,
    /// The spec's "last event ID buffer", changed by `id:` fields within a block.
    id_buffer: String,
    /// The spec's "last event ID string", changed only at dispatch.
    last_event_id: String,
    /// The current block had an `id:` field that set the ID buffer.
    block_has_id: bool,
    /// The current block overflowed and will be dropped at its blank line.
    dropping_block: bool,
    /// Bytes the line-end search has looked at, for the test that the parser
    /// reads each byte once however the input is split.
    #[cfg(test)]
    scanned: usize,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl Parser {
    /// A parser with no buffer limit.
    pub fn new() -> Self {
        Self::with_options(ParserOptions::default())
    }

    /// A parser with the given options.
    pub fn with_options(options: ParserOptions) -> Self {
        Parser {
            options,
            start: Start::Bom(0),
            line: Vec::new(),
            skipping_line: false,
            after_cr: false,
            data: Vec::new(),
            event_type: Vec::new(),
            id_buffer: String::new(),
            last_event_id: String::new(),
            block_has_id: false,
            dropping_block: false,
            #[cfg(test)]
            scanned: 0,
        }
    }

    /// The last event ID of the stream: the `id` of the last dispatched block that
    /// set one (an ID in a block that has not been dispatched yet does not count).
    /// This is what a reconnect sends as `Last-Event-ID`.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// Sets the last event ID, as a reconnecting client does for the new stream.
    pub fn set_last_event_id(&mut self, id: &str) {
        self.last_event_id.clear();
        self.last_event_id.push_str(id);
        self.id_buffer.clone_from(&self.last_event_id);
        self.block_has_id = false;
    }

    /// Parses the next chunk of the stream. Chunks may be split anywhere, even
    /// inside a UTF-8 sequence, a CRLF or the BOM.
    pub fn feed<S: Sink + ?Sized>(&mut self, mut chunk: &[u8], sink: &mut S) {
        if let Start::Bom(mut matched) = self.start {
            // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any
            // are present." It may arrive split across chunks, so count its bytes.
            while (matched as usize) < BOM.len() {
                match chunk.first() {
                    None => {
                        self.start = Start::Bom(matched);
                        return;
                    }
                    Some(&b) if b == BOM[matched as usize] => {
                        matched += 1;
                        chunk = &chunk[1..];
                    }
                    Some(_) => {
                        // Not a BOM after all: the bytes held back are ordinary input.
                        self.start = Start::Body;
                        self.parse(&BOM[..matched as usize], sink);
                        self.parse(chunk, sink);
                        return;
                    }
                }
            }
            self.start = Start::Body;
        }
        self.parse(chunk, sink);
    }

    /// Ends the stream as the spec does at end of file: a line or block that was
    /// not finished is discarded. The parser is then ready for a new stream (a
    /// reconnect) and keeps the last event ID.
    pub fn reset(&mut self) {
        self.start = Start::Bom(0);
        self.line.clear();
        self.skipping_line = false;
        self.after_cr = false;
        self.data.clear();
        self.event_type.clear();
        self.id_buffer.clone_from(&self.last_event_id);
        self.block_has_id = false;
        self.dropping_block = false;
    }

    /// Like [`Parser::reset`], but first treats an unfinished line as finished
    /// and dispatches an unfinished block, for streams that end without a blank line.
    pub fn consume<S: Sink + ?Sized>(&mut self, sink: &mut S) {
        if let Start::Bom(matched) = self.start {
            self.start = Start::Body;
            self.parse(&BOM[..matched as usize], sink);
        }
        if !self.skipping_line && !self.line.is_empty() {
            let line = core::mem::take(&mut self.line);
            self.parse_line(&line, sink);
            self.line = line;
        }
        self.dispatch(sink);
        self.reset();
    }

    fn limit(&self) -> usize {
        self.options.max_buffer_size.unwrap_or(usize::MAX)
    }

    /// Splits `chunk` into lines, carrying an unfinished one over to the next call.
    fn parse<S: Sink + ?Sized>(&mut self, mut rest: &[u8], sink: &mut S) {
        if rest.is_empty() {
            // An empty chunk must not forget a pending CR.
            return;
        }
        if self.after_cr {
            // A CR ended the last chunk; an LF here completes that CRLF.
            self.after_cr = false;
            if let Some(after_lf) = rest.strip_prefix(b"\n") {
                rest = after_lf;
            }
        }
        while let Some(end) = self.find_line_end(rest) {
            let (segment, terminator) = (&rest[..end], rest[end]);
            rest = &rest[end + 1..];
            if self.skipping_line {
                self.skipping_line = false;
            } else if self.line.is_empty() {
                // The common case: the whole line is in this chunk, so parse it in place.
                if segment.len() > self.limit() {
                    self.overflow(segment.first() == Some(&b':'), sink);
                } else {
                    self.parse_line(segment, sink);
                }
            } else if self.line.len() + segment.len() > self.limit() {
                self.overflow(self.line.first() == Some(&b':'), sink);
                self.line.clear();
            } else {
                self.line.extend_from_slice(segment);
                let line = core::mem::take(&mut self.line);
                self.parse_line(&line, sink);
                self.line = line;
                self.line.clear();
            }
            if terminator == b'\r' {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        if self.skipping_line || rest.is_empty() {
            return;
        }
        if self.line.len() + rest.len() > self.limit() {
            let first = self.line.first().or(rest.first());
            self.overflow(first == Some(&b':'), sink);
            self.line.clear();
            self.skipping_line = true;
        } else {
            self.line.extend_from_slice(rest);
        }
    }

    /// Where the next CR or LF in `bytes` is. Every search for a line end goes
    /// through here, so that a test can count the bytes searched.
    fn find_line_end(&mut self, bytes: &[u8]) -> Option<usize> {
        let found = memchr::memchr2(b'\n', b'\r', bytes);
        #[cfg(test)]
        {
            self.scanned += found.map_or(bytes.len(), |end| end + 1);
        }
        found
    }

    /// A line outgrew the limit. A comment can be dropped alone; a field takes
    /// its block with it.
    fn overflow<S: Sink + ?Sized>(&mut self, is_comment: bool, sink: &mut S) {
        if !is_comment {
            self.dropping_block = true;
        }
        sink.on_error(ParseError::MaxBufferSize { limit: self.limit() });
    }

    fn parse_line<S: Sink + ?Sized>(&mut self, line: &[u8], sink: &mut S) {
        // "If the line is empty (a blank line): Dispatch the event."
        if line.is_empty() {
            self.dispatch(sink);
            return;
        }
        // "If the line starts with a U+003A COLON character (:): Ignore the line."
        if let Some(comment) = line.strip_prefix(b":") {
            sink.on_comment(&decode(strip_one_space(comment)));
            return;
        }
        // "If the line contains a U+003A COLON character: collect the characters
        // before it as the field name; after it, remove one leading U+0020 SPACE
        // from the value. Otherwise the whole line is the field name and the value
        // is the empty string."
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => (&line[..colon], strip_one_space(&line[colon + 1..])),
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                if self.dropping_block {
                    return;
                }
                if self.data.len() + value.len() + 1 > self.limit() {
                    self.dropping_block = true;
                    self.data.clear();
                    sink.on_error(ParseError::MaxBufferSize { limit: self.limit() });
                    return;
                }
                // "Append the field value to the data buffer, then append a single
                // U+000A LINE FEED (LF) character to the data buffer."
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            b"event" => {
                self.event_type.clear();
                self.event_type.extend_from_slice(value);
            }
            b"id" => {
                // "If the field value does not contain U+0000 NULL, then set the
                // last event ID buffer to the field value. Otherwise, ignore the field."
                if !value.contains(&0) {
                    self.id_buffer.clear();
                    self.id_buffer.push_str(&decode(value));
                    self.block_has_id = true;
                }
            }
            b"retry" => {
                // "If the field value consists of only ASCII digits, then interpret
                // the field value as an integer in base ten, and set the event
                // stream's reconnection time to that integer. Otherwise, ignore."
                if !value.is_empty() && value.iter().all(u8::is_ascii_digit) {
                    let ms = value.iter().fold(0u64, |ms, &digit| {
                        ms.saturating_mul(10).saturating_add(u64::from(digit - b'0'))
                    });
                    sink.on_retry(ms);
                } else {
                    sink.on_error(ParseError::InvalidRetry { value: decode(value).into_owned() });
                }
            }
            // "Otherwise: The field is ignored."
            _ => sink.on_error(ParseError::UnknownField {
                field: decode(field).into_owned(),
                value: decode(value).into_owned(),
            }),
        }
    }

    /// The spec's "dispatch the event" steps, run at each blank line.
    fn dispatch<S: Sink + ?Sized>(&mut self, sink: &mut S) {
        let has_id = core::mem::take(&mut self.block_has_id);
        if self.dropping_block {
            // A block that overflowed is dropped whole, its `id:` included: at the
            // start of every block the ID buffer equals the last event ID.
            self.dropping_block = false;
            self.data.clear();
            self.event_type.clear();
            self.id_buffer.clone_from(&self.last_event_id);
            return;
        }
        // "1. Set the last event ID string of the event source to the value of the
        // last event ID buffer. The buffer does not get reset."
        if self.last_event_id != self.id_buffer {
            self.last_event_id.clone_from(&self.id_buffer);
        }
        // "2. If the data buffer is an empty string, set the data buffer and the
        // event type buffer to the empty string and return."
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        // "3. If the data buffer's last character is a U+000A LINE FEED (LF)
        // character, then remove the last character from the data buffer."
        self.data.pop();
        let data = decode(&self.data);
        // "Initialize event's type attribute to "message" ... If the event type
        // buffer has a value other than the empty string, change the type."
        let event: Cow<'_, str> =
            if self.event_type.is_empty() { Cow::Borrowed("message") } else { decode(&self.event_type) };
        sink.on_event(Event { event: &event, data: &data, id: &self.last_event_id, has_id });
        self.data.clear();
        self.event_type.clear();
    }
}

/// UTF-8 decoding with U+FFFD for each maximal invalid subpart, as the WHATWG
/// decoder does. `from_utf8_lossy` alone walks valid text a byte at a time; the
/// validating fast path is many times faster on the common, valid case.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn strip_one_space(value: &[u8]) -> &[u8] {
    value.strip_prefix(b" ").unwrap_or(value)
}

#[cfg(test)]
mod tests;
