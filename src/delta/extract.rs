//! Finding the text delta in one SSE event, for the common LLM wire formats.

use std::borrow::Cow;
use std::fmt;

use super::json::{self, Step, Value};

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
    fn plain(text: &'a str) -> Self {
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

fn key(k: &str) -> Step {
    Step::Key(k.to_owned())
}

/// The string at `path`, unescaped; `None` if absent, null or not a string.
fn string_at<'a>(data: &'a str, path: &[Step]) -> Result<Option<Piece<'a>>, DeltaError> {
    match json::lookup(data, path)? {
        Some(Value::Str(raw)) => {
            let u = json::unescape(raw).map_err(|e| DeltaError::InvalidJson {
                // Report the offset in `data`: `raw` is a subslice of it.
                at: (raw.as_ptr() as usize - data.as_ptr() as usize) + e.at,
            })?;
            Ok(Some(Piece { text: u.text, lead_low: u.lead_low, trail_high: u.trail_high }))
        }
        _ => Ok(None),
    }
}

/// The event's type: the SSE `event:` field, or `data.type` when the field is
/// missing (some proxies drop it; both APIs repeat the type in the data).
fn event_type<'a>(event: &'a str, data: &str) -> Cow<'a, str> {
    if event == "message" {
        Cow::Owned(text_at(data, &[key("type")]).unwrap_or_default())
    } else {
        Cow::Borrowed(event)
    }
}

fn text_at(s: &str, path: &[Step]) -> Option<String> {
    match json::lookup(s, path) {
        Ok(Some(Value::Str(raw))) => json::unescape(raw).ok().map(|u| u.text.into_owned()),
        Ok(Some(Value::Other(raw))) => Some(raw.to_owned()),
        _ => None,
    }
}

/// Builds the error for an error object at `path` in `data`.
fn stream_error(data: &str, path: &[Step]) -> DeltaError {
    let mut msg_path = path.to_vec();
    msg_path.push(key("message"));
    let mut type_path = path.to_vec();
    type_path.push(key("type"));
    let mut code_path = path.to_vec();
    code_path.push(key("code"));
    DeltaError::Stream {
        kind: text_at(data, &type_path).or_else(|| text_at(data, &code_path)),
        message: text_at(data, &msg_path).or_else(|| text_at(data, path)).unwrap_or_else(|| data.to_owned()),
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
        match self {
            Extractor::PlainText => Ok(Extracted::Text(Piece::plain(data))),
            Extractor::OpenAiChat => {
                if is_done_marker(data) {
                    return Ok(Extracted::Done);
                }
                check_error(data)?;
                let path = [key("choices"), Step::Index(0), key("delta"), key("content")];
                Ok(string_at(data, &path)?.map_or(Extracted::Nothing, Extracted::Text))
            }
            Extractor::Pointer(p) => {
                if is_done_marker(data) {
                    return Ok(Extracted::Done);
                }
                check_error(data)?;
                Ok(string_at(data, &p.steps)?.map_or(Extracted::Nothing, Extracted::Text))
            }
            Extractor::OpenAiResponses => {
                if is_done_marker(data) {
                    return Ok(Extracted::Done);
                }
                match event_type(event, data).as_ref() {
                    "response.output_text.delta" => {
                        Ok(string_at(data, &[key("delta")])?.map_or(Extracted::Nothing, Extracted::Text))
                    }
                    "response.completed" => Ok(Extracted::Done),
                    "error" => Err(error_or_root(data)),
                    "response.failed" => Err(stream_error(data, &[key("response"), key("error")])),
                    _ => {
                        check_error(data)?;
                        Ok(Extracted::Nothing)
                    }
                }
            }
            Extractor::Anthropic => {
                match event_type(event, data).as_ref() {
                    "content_block_delta" => {
                        let kind = text_at(data, &[key("delta"), key("type")]);
                        if kind.as_deref() == Some("text_delta") {
                            let path = [key("delta"), key("text")];
                            Ok(string_at(data, &path)?.map_or(Extracted::Nothing, Extracted::Text))
                        } else {
                            // `input_json_delta`, `thinking_delta`...: not answer text.
                            Ok(Extracted::Nothing)
                        }
                    }
                    "message_stop" => Ok(Extracted::Done),
                    "error" => Err(error_or_root(data)),
                    _ => {
                        check_error(data)?;
                        Ok(Extracted::Nothing)
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
