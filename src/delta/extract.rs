//! Finding the text delta in one SSE event, for the common LLM wire formats.

use std::borrow::Cow;
use std::fmt;

use super::json::{self, Found, Step, Value};

/// Where the text of each event is, and how the stream says it has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Extractor {
    /// OpenAI Chat Completions: `choices[0].delta.content`; `data: [DONE]` ends
    /// the stream.
    OpenAiChat,
    /// OpenAI Responses: the `delta` of `response.output_text.delta` events;
    /// `response.completed` ends the stream, `error` and `response.failed` are errors.
    OpenAiResponses,
    /// Anthropic Messages: `delta.text` of `content_block_delta` events whose
    /// `delta.type` is `text_delta`; `message_stop` ends the stream, `error` is an error.
    Anthropic,
    /// The `data` of every event, as is.
    PlainText,
    /// The string an RFC 6901 JSON pointer names in `data`, such as
    /// `/choices/0/delta/content`. A missing member or `null` is no text; other
    /// non-string values are no text either. `data: [DONE]` ends the stream.
    /// Build it with [`Extractor::pointer`].
    Pointer(JsonPointer),
}

/// A parsed RFC 6901 JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPointer {
    steps: Vec<Step>,
}

impl Extractor {
    /// An [`Extractor::Pointer`]; `None` if `pointer` is not a valid RFC 6901 pointer
    /// (it must be empty or start with `/`, and `~` must be followed by `0` or `1`).
    pub fn pointer(pointer: &str) -> Option<Self> {
        json::parse_pointer(pointer).map(|steps| Extractor::Pointer(JsonPointer { steps }))
    }

    /// The preset with this name: `"openai"` (or `"openai-chat"`),
    /// `"openai-responses"`, `"anthropic"`, `"text"`; a string starting with `/`
    /// is a JSON pointer. For the JS option of the same name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "openai" | "openai-chat" => Some(Extractor::OpenAiChat),
            "openai-responses" => Some(Extractor::OpenAiResponses),
            "anthropic" => Some(Extractor::Anthropic),
            "text" => Some(Extractor::PlainText),
            p if p.starts_with('/') => Extractor::pointer(p),
            _ => None,
        }
    }
}

/// What one event contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Extracted<'a> {
    /// A piece of text (maybe empty).
    Text(Piece<'a>),
    /// The event carries no text (a role header, a ping, a usage record).
    Nothing,
    /// The stream says the answer is complete.
    Done,
}

/// A text delta as found in an event. JSON can split a UTF-16 surrogate pair
/// between two events (`\uD83D` then `\uDE00`); the halves are kept apart so the
/// pipeline can join them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    /// The text.
    pub text: Cow<'a, str>,
    /// A lone low surrogate that comes before `text`.
    pub lead_low: Option<u16>,
    /// A lone high surrogate that comes after `text`.
    pub trail_high: Option<u16>,
}

impl<'a> Piece<'a> {
    pub(crate) fn plain(text: &'a str) -> Self {
        Piece { text: Cow::Borrowed(text), lead_low: None, trail_high: None }
    }
}

/// An event the pipeline could not turn into text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeltaError {
    /// The server sent an error inside the stream (`{"error": ...}`, Anthropic's
    /// `event: error`, OpenAI's `response.failed`). It is never shown as text.
    Stream {
        /// The error's `type` or `code`, if it has one.
        kind: Option<String>,
        /// The error's `message`, or the raw `data` if there is none.
        message: String,
    },
    /// `data` is not the JSON the preset expects.
    InvalidJson {
        /// Byte offset in `data` where the scanner gave up.
        at: usize,
    },
}

impl DeltaError {
    /// A short stable name, the same as the `type` of the JS error.
    pub fn kind(&self) -> &'static str {
        match self {
            DeltaError::Stream { .. } => "stream-error",
            DeltaError::InvalidJson { .. } => "invalid-json",
        }
    }
}

impl fmt::Display for DeltaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeltaError::Stream { kind: Some(kind), message } => {
                write!(f, "the stream reported an error ({kind}): {message}")
            }
            DeltaError::Stream { kind: None, message } => {
                write!(f, "the stream reported an error: {message}")
            }
            DeltaError::InvalidJson { at } => write!(f, "invalid JSON in event data at byte {at}"),
        }
    }
}

impl std::error::Error for DeltaError {}

impl From<json::JsonError> for DeltaError {
    fn from(e: json::JsonError) -> Self {
        DeltaError::InvalidJson { at: e.at }
    }
}

const fn key(k: &'static str) -> Step {
    Step::key(k)
}

/// `choices[0].delta.content`.
const OPENAI_CHAT_PATH: &[Step] = &[key("choices"), Step::Index(0), key("delta"), key("content")];

/// What one event contributes, before the text is unescaped: the pipeline
/// unescapes straight into its buffer, [`Extractor::extract`] into a [`Piece`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Raw<'a> {
    /// Text as is.
    Plain(&'a str),
    /// The inside of a JSON string in the event's `data`.
    Json {
        /// As in `data` (a subslice of it).
        raw: &'a str,
        /// Whether `raw` holds escapes to undo.
        escaped: bool,
    },
    /// The event carries no text.
    Nothing,
    /// The stream says the answer is complete.
    Done,
}

/// The error for a bad escape in `raw`, a subslice of `data`, at `e.at` in `raw`.
pub(crate) fn invalid_escape(data: &str, raw: &str, e: json::JsonError) -> DeltaError {
    // Report the offset in `data`: `raw` is a subslice of it.
    DeltaError::InvalidJson { at: (raw.as_ptr() as usize - data.as_ptr() as usize) + e.at }
}

fn raw_string(v: Option<Value<'_>>) -> Raw<'_> {
    match v {
        Some(Value::Str { raw, escaped }) => Raw::Json { raw, escaped },
        _ => Raw::Nothing,
    }
}

/// The string at `path`, still escaped; `Nothing` if absent, null or not a string.
fn string_at<'a>(data: &'a str, path: &[Step]) -> Result<Raw<'a>, DeltaError> {
    Ok(raw_string(json::lookup(data, path)?))
}

/// The string at `path` in one pass over the whole of `data`, which also finds
/// a top-level `"error"` member wherever it is (before or after the path).
fn checked_string_at<'a>(data: &'a str, path: &[Step]) -> Result<Raw<'a>, DeltaError> {
    match json::lookup_checked(data, path)? {
        Found::Value(v) => Ok(raw_string(v)),
        Found::Error => Err(stream_error(data, &[key("error")])),
    }
}

/// The event's type: the SSE `event:` field, or `data.type` when the field is
/// missing (some proxies drop it; both APIs repeat the type in the data).
fn event_type<'a>(event: &'a str, data: &'a str) -> Cow<'a, str> {
    if event == "message" {
        text_at(data, &[key("type")]).unwrap_or_default()
    } else {
        Cow::Borrowed(event)
    }
}

fn text_at<'a>(s: &'a str, path: &[Step]) -> Option<Cow<'a, str>> {
    match json::lookup(s, path) {
        Ok(Some(Value::Str { raw, .. })) => json::unescape(raw).ok().map(|u| u.text),
        Ok(Some(Value::Other(raw))) => Some(Cow::Borrowed(raw)),
        _ => None,
    }
}

/// Builds the error for an error object at `path` in `data`.
fn stream_error(data: &str, path: &[Step]) -> DeltaError {
    let with = |k: &'static str| {
        let mut p = path.to_vec();
        p.push(key(k));
        p
    };
    let text = |path: &[Step]| text_at(data, path).map(Cow::into_owned);
    DeltaError::Stream {
        kind: text(&with("type")).or_else(|| text(&with("code"))),
        message: text(&with("message")).or_else(|| text(path)).unwrap_or_else(|| data.to_owned()),
    }
}

/// A top-level `"error"` member that is not `null` is an error event.
fn check_error(data: &str) -> Result<(), DeltaError> {
    let path = [key("error")];
    match json::lookup(data, &path) {
        Ok(Some(Value::Null)) | Ok(None) => Ok(()),
        Ok(Some(_)) => Err(stream_error(data, &path)),
        // Malformed JSON is reported by the preset's own lookup.
        Err(_) => Ok(()),
    }
}

/// `data` that is exactly `[DONE]` (OpenAI's end marker), ignoring surrounding
/// whitespace.
fn is_done_marker(data: &str) -> bool {
    data.trim() == "[DONE]"
}

impl Extractor {
    /// The text delta, end marker or error in one event, given its SSE `event`
    /// type (`"message"` when the block had no `event:` field) and its `data`.
    pub fn extract<'a>(&self, event: &str, data: &'a str) -> Result<Extracted<'a>, DeltaError> {
        Ok(match self.extract_raw(event, data)? {
            Raw::Plain(text) | Raw::Json { raw: text, escaped: false } => Extracted::Text(Piece::plain(text)),
            Raw::Json { raw, escaped: true } => {
                let u = json::unescape(raw).map_err(|e| invalid_escape(data, raw, e))?;
                Extracted::Text(Piece { text: u.text, lead_low: u.lead_low, trail_high: u.trail_high })
            }
            Raw::Nothing => Extracted::Nothing,
            Raw::Done => Extracted::Done,
        })
    }

    /// [`Extractor::extract`] without the unescaping: the string's escapes are
    /// not checked yet.
    pub(crate) fn extract_raw<'a>(&self, event: &str, data: &'a str) -> Result<Raw<'a>, DeltaError> {
        match self {
            Extractor::PlainText => Ok(Raw::Plain(data)),
            Extractor::OpenAiChat => {
                if is_done_marker(data) {
                    return Ok(Raw::Done);
                }
                checked_string_at(data, OPENAI_CHAT_PATH)
            }
            Extractor::Pointer(p) => {
                if is_done_marker(data) {
                    return Ok(Raw::Done);
                }
                checked_string_at(data, &p.steps)
            }
            Extractor::OpenAiResponses => {
                if is_done_marker(data) {
                    return Ok(Raw::Done);
                }
                match event_type(event, data).as_ref() {
                    "response.output_text.delta" => string_at(data, &[key("delta")]),
                    "response.completed" => Ok(Raw::Done),
                    "error" => Err(error_or_root(data)),
                    "response.failed" => Err(stream_error(data, &[key("response"), key("error")])),
                    _ => {
                        check_error(data)?;
                        Ok(Raw::Nothing)
                    }
                }
            }
            Extractor::Anthropic => {
                match event_type(event, data).as_ref() {
                    "content_block_delta" => {
                        let kind = text_at(data, &[key("delta"), key("type")]);
                        if kind.as_deref() == Some("text_delta") {
                            string_at(data, &[key("delta"), key("text")])
                        } else {
                            // `input_json_delta`, `thinking_delta`...: not answer text.
                            Ok(Raw::Nothing)
                        }
                    }
                    "message_stop" => Ok(Raw::Done),
                    "error" => Err(error_or_root(data)),
                    _ => {
                        check_error(data)?;
                        Ok(Raw::Nothing)
                    }
                }
            }
        }
    }
}

/// For an event whose type says "error": the `error` member if there is one,
/// else the object itself.
fn error_or_root(data: &str) -> DeltaError {
    match json::lookup(data, &[key("error")]) {
        Ok(Some(Value::Null)) | Ok(None) | Err(_) => stream_error(data, &[]),
        Ok(Some(_)) => stream_error(data, &[key("error")]),
    }
}
