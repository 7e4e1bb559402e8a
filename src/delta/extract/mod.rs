//! What one SSE event of an LLM stream says, for the common wire formats: one
//! file per wire, each turning an event into [`Item`]s (answer text, reasoning,
//! tool-call pieces, usage, the finish reason, the end).
//!
//! Every format reads an event's `data` once ([`json::Doc`]), and reports its
//! items only once the whole event has been read and found well formed, so a
//! malformed event adds nothing.

mod ai_sdk;
mod anthropic;
mod openai;
mod pointer;
mod responses;

use std::borrow::Cow;
use std::fmt;

use super::json::{self, Doc, JsonError, Step, Value};

/// Which wire format the events are in: where the answer text, the reasoning,
/// the tool calls, the usage and the finish reason are, and how the stream says
/// it has ended or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Extractor {
    /// OpenAI Chat Completions and every server compatible with it:
    /// `choices[0].delta.content`; reasoning from `reasoning_content` (DeepSeek,
    /// vLLM, LM Studio) or `reasoning` (Ollama, OpenRouter, Groq), and from a
    /// leading `<think>…</think>` block in the content; `tool_calls` by
    /// `index`; `finish_reason`; `usage` (also on a last chunk whose `choices`
    /// is `[]` or `null`); `data: [DONE]` ends the stream; a top-level `error`
    /// member is an error.
    OpenAiChat,
    /// OpenAI Responses: `response.output_text.delta`; reasoning summaries and
    /// reasoning text; function calls (`call_id` is the id, the name comes from
    /// `response.output_item.added`); `response.completed` (or `.incomplete`)
    /// ends the stream with the usage and the status as finish reason; `error`
    /// and `response.failed` are errors.
    OpenAiResponses,
    /// Anthropic Messages: `text_delta`s; `thinking_delta`s as reasoning
    /// (`signature_delta` and `redacted_thinking` are skipped); `tool_use`
    /// blocks with their `input_json_delta`s; usage from `message_start` and
    /// `message_delta`, merged; `stop_reason`; `message_stop` ends the stream;
    /// `event: error` is an error.
    Anthropic,
    /// The Vercel AI SDK UI message stream (`x-vercel-ai-ui-message-stream: v1`):
    /// `text-delta`, `reasoning-delta`, `tool-input-start` / `-delta` /
    /// `-available`, `finish` (its `finishReason`), `error`; `abort` and
    /// `data: [DONE]` end the stream.
    AiSdk,
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
    /// `"openai-responses"`, `"anthropic"`, `"ai-sdk"`, `"text"`; a string
    /// starting with `/` is a JSON pointer. For the JS option of the same name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "openai" | "openai-chat" => Some(Extractor::OpenAiChat),
            "openai-responses" => Some(Extractor::OpenAiResponses),
            "anthropic" => Some(Extractor::Anthropic),
            "ai-sdk" => Some(Extractor::AiSdk),
            "text" => Some(Extractor::PlainText),
            p if p.starts_with('/') => Extractor::pointer(p),
            _ => None,
        }
    }
}

/// The answer text of one event, as [`Extractor::extract`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Extracted<'a> {
    /// A piece of answer text (maybe empty).
    Text(Piece<'a>),
    /// The event carries no answer text (a role header, a ping, usage, reasoning,
    /// a tool call).
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
    /// `event: error`, OpenAI's `response.failed`, the AI SDK's `error` part).
    /// It is never shown as text.
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
    /// Raw event-stream bytes fed to the pipeline held a line or an event longer
    /// than the parser's buffer limit; the stream stops there rather than
    /// dropping that event unseen.
    MaxBufferSize {
        /// The limit, in bytes.
        limit: usize,
    },
}

impl DeltaError {
    /// A short stable name, the same as the `type` of the JS error.
    pub fn kind(&self) -> &'static str {
        match self {
            DeltaError::Stream { .. } => "stream-error",
            DeltaError::InvalidJson { .. } => "invalid-json",
            DeltaError::MaxBufferSize { .. } => "max-buffer",
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
            DeltaError::MaxBufferSize { limit } => {
                write!(f, "a line or event exceeded the maximum buffer size of {limit} bytes")
            }
        }
    }
}

impl std::error::Error for DeltaError {}

impl From<JsonError> for DeltaError {
    fn from(e: JsonError) -> Self {
        DeltaError::InvalidJson { at: e.at }
    }
}

/// A string as found in an event, before unescaping: the pipeline unescapes
/// straight into its buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Str<'a> {
    /// Text as is (not JSON).
    Plain(&'a str),
    /// The inside of a JSON string in the event's `data`, a subslice of it.
    Json {
        /// As in `data`.
        raw: &'a str,
        /// Whether `raw` holds escapes to undo.
        escaped: bool,
    },
}

impl<'a> Str<'a> {
    /// The string as text (unescaped; lone surrogates become U+FFFD). `None`
    /// for a bad escape.
    pub(crate) fn text(&self) -> Option<Cow<'a, str>> {
        match *self {
            Str::Plain(s) | Str::Json { raw: s, escaped: false } => Some(Cow::Borrowed(s)),
            Str::Json { raw, escaped: true } => json::unescape(raw).ok().map(|u| {
                if u.lead_low.is_none() && u.trail_high.is_none() {
                    u.text
                } else {
                    let mut s = String::new();
                    if u.lead_low.is_some() {
                        s.push('\u{FFFD}');
                    }
                    s.push_str(&u.text);
                    if u.trail_high.is_some() {
                        s.push('\u{FFFD}');
                    }
                    Cow::Owned(s)
                }
            }),
        }
    }

    /// Whether the string is empty.
    pub(crate) fn is_empty(&self) -> bool {
        match *self {
            Str::Plain(s) | Str::Json { raw: s, .. } => s.is_empty(),
        }
    }
}

/// Which tool call a piece belongs to, in the wire's own terms: OpenAI's
/// `index`, Anthropic's content block `index`, the Responses `output_index`,
/// the AI SDK's `toolCallId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKey<'a> {
    /// A number.
    Index(u64),
    /// A string, as in the data (still escaped).
    Name(&'a str),
}

/// One thing an event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item<'a> {
    /// Answer text.
    Text(Str<'a>),
    /// Reasoning text.
    Reasoning(Str<'a>),
    /// A new part of the reasoning begins (a second thinking block or summary
    /// part): the pipeline separates it from the one before by a blank line.
    ReasoningBreak,
    /// A tool call is announced, or more of its identity arrives.
    ToolStart {
        /// Which call.
        key: CallKey<'a>,
        /// The call's id, if this event has it.
        id: Option<Str<'a>>,
        /// The function's name, if this event has it.
        name: Option<Str<'a>>,
    },
    /// A fragment of a call's JSON arguments.
    ToolArgs {
        /// Which call.
        key: CallKey<'a>,
        /// The fragment (raw JSON text once unescaped).
        text: Str<'a>,
    },
    /// A call's whole input, as a JSON value in the data (the AI SDK sends it
    /// parsed once the arguments are complete). It also completes the call.
    ToolInput {
        /// Which call.
        key: CallKey<'a>,
        /// The function's name, if this event has it.
        name: Option<Str<'a>>,
        /// The value's raw JSON text.
        json: &'a str,
    },
    /// A call's arguments are complete; `None`: every call's.
    ToolDone(Option<CallKey<'a>>),
    /// A usage object (raw JSON), merged into the usage so far.
    Usage(&'a str),
    /// The finish reason, as the provider spells it.
    Finish(Str<'a>),
    /// The stream says the answer is complete.
    Done,
}

/// Where a format puts the items of one event; see [`Extractor::items`].
pub(crate) type Items<'a> = Vec<Item<'a>>;

impl Extractor {
    /// The answer text, end marker or error in one event, given its SSE `event`
    /// type (`"message"` when the block had no `event:` field) and its `data`.
    /// The other channels are read by [`crate::delta::Pipeline`].
    pub fn extract<'a>(&self, event: &str, data: &'a str) -> Result<Extracted<'a>, DeltaError> {
        let mut items = Vec::new();
        self.items(event, data, &mut items)?;
        let mut found = Extracted::Nothing;
        for item in items {
            match item {
                Item::Text(Str::Plain(text)) | Item::Text(Str::Json { raw: text, escaped: false }) => {
                    return Ok(Extracted::Text(Piece::plain(text)));
                }
                Item::Text(Str::Json { raw, escaped: true }) => {
                    let u = json::unescape(raw).map_err(|e| invalid_escape(data, raw, e))?;
                    return Ok(Extracted::Text(Piece {
                        text: u.text,
                        lead_low: u.lead_low,
                        trail_high: u.trail_high,
                    }));
                }
                Item::Done => found = Extracted::Done,
                _ => {}
            }
        }
        Ok(found)
    }

    /// Appends to `items` what one event says, in the order the event says it;
    /// on `Err` nothing was appended. Escapes are not checked yet: the pipeline
    /// checks them as it unescapes.
    pub(crate) fn items<'a>(
        &self,
        event: &str,
        data: &'a str,
        items: &mut Items<'a>,
    ) -> Result<(), DeltaError> {
        let mark = items.len();
        let result = match self {
            Extractor::PlainText => {
                items.push(Item::Text(Str::Plain(data)));
                Ok(())
            }
            Extractor::OpenAiChat => openai::items(data, items),
            Extractor::OpenAiResponses => responses::items(event, data, items),
            Extractor::Anthropic => anthropic::items(event, data, items),
            Extractor::AiSdk => ai_sdk::items(data, items),
            Extractor::Pointer(p) => pointer::items(&p.steps, data, items),
        };
        if result.is_err() {
            items.truncate(mark);
        }
        result
    }
}

/// The error for a bad escape in `raw`, a subslice of `data`, at `e.at` in `raw`.
pub(crate) fn invalid_escape(data: &str, raw: &str, e: JsonError) -> DeltaError {
    // Report the offset in `data`: `raw` is a subslice of it.
    let offset = (raw.as_ptr() as usize).wrapping_sub(data.as_ptr() as usize);
    DeltaError::InvalidJson { at: offset.min(data.len()).saturating_add(e.at) }
}

const fn key(k: &'static str) -> Step {
    Step::key(k)
}

/// A string value as a [`Str`]; `None` for `null`, absent or another type.
fn str_of(v: Value<'_>) -> Option<Str<'_>> {
    match v {
        Value::Str { raw, escaped } => Some(Str::Json { raw, escaped }),
        _ => None,
    }
}

/// An object value, as its raw JSON text.
fn object_of(v: Value<'_>) -> Option<&str> {
    match v {
        Value::Other(raw) if raw.starts_with('{') => Some(raw),
        _ => None,
    }
}

/// A number value that is a whole number, such as an `index`.
fn index_of(v: Value<'_>) -> Option<u64> {
    match v {
        Value::Other(raw) => raw.parse().ok(),
        _ => None,
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
        // Malformed JSON is reported by the preset's own reading.
        Err(_) => Ok(()),
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

/// `data` that is exactly `[DONE]` (OpenAI's end marker), ignoring surrounding
/// whitespace.
fn is_done_marker(data: &str) -> bool {
    data.trim() == "[DONE]"
}
