//! The delta pipeline: text deltas out of SSE events, coalesced and flushed only
//! at safe boundaries, with a markdown-safe display text. No I/O, no timers.
//!
//! ```text
//! event ─▶ Extractor ─▶ push ─▶ (accumulate) ─▶ flush() / finish() ─▶ Flush
//! ```
//!
//! The driver (the browser glue, or a Rust `Stream`) decides *when* to flush: per
//! animation frame, per interval or per event. The pipeline decides *how much*:
//!
//! * never inside a UTF-8 sequence, a UTF-16 surrogate pair or a grapheme
//!   cluster: the last cluster is held back until more text or the end arrives,
//!   because any cluster can still grow (`e` + U+0301, 👍 + 🏽, 🇫 + 🇷);
//! * with [`Markdown::Hold`], the display text is the longest prefix that renders
//!   as the final text will there; with [`Markdown::Heal`], open constructs are
//!   closed instead (`**bo` shows as **bo**, `[text](http://ex` as a link);
//! * [`Flush::stable_len`] says how much of the display is final: whole blocks
//!   that will never render differently, so a UI re-renders only the rest.
//!
//! [`Pipeline::finish`] flushes everything, whatever the state: the
//! concatenation of all [`Flush::delta`]s is exactly the text pushed.
//!
//! Lengths and offsets are in UTF-8 bytes unless the name ends in `_utf16`
//! (JavaScript string indices).
//!
//! ```
//! use wasm_sse::delta::{Extractor, Markdown, Pipeline, PipelineOptions};
//!
//! let mut p = Pipeline::new(PipelineOptions::new(Extractor::OpenAiChat).markdown(Markdown::Heal));
//! p.push_event("message", r#"{"choices":[{"delta":{"content":"Hello **wor"}}]}"#).unwrap();
//! let f = p.flush().unwrap();
//! assert_eq!(f.delta, "Hello **wo"); // the last character could still grow
//! assert_eq!(f.display(), "Hello **wo**");
//! p.push_event("message", r#"{"choices":[{"delta":{"content":"ld**"}}]}"#).unwrap();
//! p.push_event("message", "[DONE]").unwrap();
//! let f = p.finish();
//! assert_eq!((f.text, f.display().as_str(), f.done), ("Hello **world**", "Hello **world**", true));
//! ```

mod channel;
mod extract;
mod grapheme;
mod inline;
mod json;
mod markdown;
#[cfg(test)]
mod tests;
mod think;
mod tools;
mod usage;

pub use channel::ChannelFlush;
pub use extract::{DeltaError, Extracted, Extractor, JsonPointer, Piece};
pub use tools::ToolCall;

use channel::Channel;
use extract::{invalid_escape, Item, Str};
use think::{Route, Think};

/// How the display text treats markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Markdown {
    /// No markdown handling: the display is the raw text (plain text answers).
    #[default]
    Off,
    /// Show only the longest prefix that renders as the final text will.
    Hold,
    /// Show all the text, closing or hiding what is still open.
    Heal,
}

/// Which math delimiters the display treats as math, as the app's renderer
/// does: math whose closer has not arrived is held (`Hold`) or hidden (`Heal`)
/// instead of showing as text that turns into math later. The default is none:
/// CommonMark and markdown-it show `$x$` and `\(x\)` as text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Math {
    /// No math: every delimiter is text.
    #[default]
    Off,
    /// `$...$` inline and `$$...$$` display math (pulldown-cmark, KaTeX and
    /// MathJax setups for markdown, remark-math).
    Dollar,
    /// LaTeX's `\(...\)` inline and `\[...\]` display math.
    Latex,
    /// Both kinds.
    Both,
}

impl Math {
    pub(crate) fn dollar(self) -> bool {
        matches!(self, Math::Dollar | Math::Both)
    }

    pub(crate) fn latex(self) -> bool {
        matches!(self, Math::Latex | Math::Both)
    }
}

/// Pipeline settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PipelineOptions {
    /// Where the text of each event is.
    pub extractor: Extractor,
    /// How the display text treats markdown.
    pub markdown: Markdown,
    /// Which math delimiters the markdown handling knows.
    pub math: Math,
}

impl PipelineOptions {
    /// Options with this extractor and no markdown handling.
    pub fn new(extractor: Extractor) -> Self {
        PipelineOptions { extractor, markdown: Markdown::Off, math: Math::Off }
    }

    /// Sets [`PipelineOptions::markdown`].
    pub fn markdown(mut self, mode: Markdown) -> Self {
        self.markdown = mode;
        self
    }

    /// Sets [`PipelineOptions::math`].
    pub fn math(mut self, math: Math) -> Self {
        self.math = math;
        self
    }
}

/// What [`Pipeline::push_event`] made of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Text was added (maybe none); the stream goes on.
    Continue,
    /// The event said the answer is complete; call [`Pipeline::finish`].
    Done,
}

/// The markdown-safe display of `text`, an answer that may still go on: the
/// same as a flush's display in `mode`, without holding back the last grapheme
/// cluster. For one-off use; a [`Pipeline`] does this incrementally.
pub fn view(text: &str, mode: Markdown, math: Math) -> String {
    let Some(mut md) = markdown::Markdown::for_mode(mode, math) else {
        return text.to_owned();
    };
    let v = md.view(text);
    let mut out = String::with_capacity(v.cut + v.suffix.len());
    out.push_str(&text[..v.cut]);
    out.push_str(&v.suffix);
    out
}

pub use crate::utf16::utf16_len;

/// What changed besides the answer text in a flush.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Changes {
    /// The reasoning has new text (or appeared).
    pub reasoning: bool,
    /// A tool call began, grew or completed (see [`ToolCall::changed`]).
    pub tool_calls: bool,
    /// The usage changed.
    pub usage: bool,
    /// The finish reason arrived.
    pub finish_reason: bool,
}

impl Changes {
    fn any(&self) -> bool {
        self.reasoning || self.tool_calls || self.usage || self.finish_reason
    }
}

/// One flush, borrowed from the pipeline until its next call. The answer's
/// fields are at the top level; the other channels are beside them.
#[derive(Debug, Clone, Copy)]
pub struct Flush<'a> {
    /// The raw answer text added since the previous flush.
    pub delta: &'a str,
    /// All answer text flushed so far: the concatenation of every `delta`
    /// since the start (or since a restart).
    pub text: &'a str,
    /// Length of the final part of the display, in bytes: `text[..stable_len]`
    /// is complete blocks that render the same in the final text, and the
    /// display starts with it. Never decreases (but for a restart).
    pub stable_len: usize,
    /// [`Flush::stable_len`] in UTF-16 code units.
    pub stable_len_utf16: usize,
    /// Length of [`Flush::text`] in UTF-16 code units.
    pub text_len_utf16: usize,
    /// The display after the stable part: the display text is
    /// `text[..stable_len] + display_tail`.
    pub display_tail: &'a str,
    /// The info string of the code fence the display ends inside: see
    /// [`ChannelFlush::code_fence`].
    pub code_fence: Option<&'a str>,
    /// The stream has ended; this is the last flush.
    pub done: bool,
    /// The answer started over ([`Pipeline::restart`]): every channel is
    /// reported from empty again, and nothing of the earlier attempt is in it.
    pub restarted: bool,
    /// The reasoning, once some has arrived (markdown-safe like the answer).
    pub reasoning: Option<ChannelFlush<'a>>,
    /// The tool calls so far, in the order they began.
    pub tool_calls: &'a [ToolCall],
    /// The usage object as the provider sent it (JSON text), merged across
    /// events; `None` until one arrives.
    pub usage: Option<&'a str>,
    /// The finish reason as the provider spells it (`stop`, `tool_calls`,
    /// `end_turn`, `completed`, `tool-calls`...), once it arrives.
    pub finish_reason: Option<&'a str>,
    /// What besides the answer text changed since the previous flush.
    pub changed: Changes,
}

impl Flush<'_> {
    /// The whole markdown-safe display text (allocates; a UI that keeps the
    /// stable part only needs [`Flush::display_tail`]).
    pub fn display(&self) -> String {
        let mut s = String::with_capacity(self.stable_len + self.display_tail.len());
        s.push_str(&self.text[..self.stable_len]);
        s.push_str(self.display_tail);
        s
    }
}

/// The pipeline. See the module docs.
#[derive(Debug, Clone)]
pub struct Pipeline {
    options: PipelineOptions,
    answer: Channel,
    /// Created when the first reasoning text arrives.
    reasoning: Option<Channel>,
    /// The reasoning channel was created and not flushed yet.
    reasoning_new: bool,
    /// A leading `<think>` block of the answer text (OpenAI chat only).
    think: Think,
    tools: tools::Tools,
    usage: usage::Usage,
    finish_reason: Option<String>,
    finish_changed: bool,
    /// Reused between events: the items of one event.
    items: Vec<Item<'static>>,
    /// Restarted, and not flushed since.
    restarted: bool,
    done: bool,
    finished: bool,
}

/// An empty vector of items of any lifetime, keeping the allocation (the
/// standard library collects in place when the types have the same layout).
// `filter_map` rather than `filter` + `map`: the map would need a value it can
// never produce, that is a panic path in the wasm.
#[allow(clippy::unnecessary_filter_map)]
fn recycle<'b>(mut items: Vec<Item<'_>>) -> Vec<Item<'b>> {
    items.clear();
    items.into_iter().filter_map(|_| None).collect()
}

impl Pipeline {
    /// A pipeline with these options.
    pub fn new(options: PipelineOptions) -> Self {
        let think = Think::new(options.extractor == Extractor::OpenAiChat);
        Pipeline {
            answer: Channel::new(options.markdown, options.math),
            reasoning: None,
            reasoning_new: false,
            think,
            tools: tools::Tools::default(),
            usage: usage::Usage::default(),
            finish_reason: None,
            finish_changed: false,
            items: Vec::new(),
            restarted: false,
            done: false,
            finished: false,
            options,
        }
    }

    /// Reads one event and adds what it says to the channels. On `Err` nothing
    /// was added (but for an earlier item of the same event whose text was
    /// fine): the driver should report the error and call [`Pipeline::finish`],
    /// which still delivers everything so far. After `Done` or `finish`, events
    /// are ignored.
    pub fn push_event(&mut self, event: &str, data: &str) -> Result<Status, DeltaError> {
        if self.done || self.finished {
            return Ok(Status::Done);
        }
        let mut items = recycle(std::mem::take(&mut self.items));
        let result = match self.options.extractor.items(event, data, &mut items) {
            Ok(()) => items.iter().try_for_each(|item| self.apply(data, item)),
            Err(e) => Err(e),
        };
        self.items = recycle(items);
        result?;
        Ok(if self.done { Status::Done } else { Status::Continue })
    }

    fn apply(&mut self, data: &str, item: &Item<'_>) -> Result<(), DeltaError> {
        match *item {
            Item::Text(text) => self.push_answer(data, text)?,
            Item::Reasoning(text) => {
                if !text.is_empty() {
                    let (markdown, math) = (self.options.markdown, self.options.math);
                    let reasoning = self.reasoning.get_or_insert_with(|| Channel::new(markdown, math));
                    push_str(reasoning, data, text)?;
                    self.reasoning_new |= reasoning.sent == 0;
                }
            }
            Item::ReasoningBreak => {
                if let Some(reasoning) = &mut self.reasoning {
                    if !reasoning.text.is_empty() && !reasoning.text.ends_with("\n\n") {
                        reasoning.push_piece(&Piece::plain("\n\n"));
                    }
                }
            }
            Item::ToolStart { key, id, name } => self.tools.start(key, id, name),
            Item::ToolArgs { key, text } => {
                if let (Err(e), Str::Json { raw, .. }) = (self.tools.arguments(key, text), text) {
                    return Err(invalid_escape(data, raw, e));
                }
            }
            Item::ToolInput { key, name, json } => {
                self.tools.start(key, None, name);
                self.tools.input(key, json);
            }
            Item::ToolDone(key) => self.tools.done(key),
            Item::Usage(raw) => self.usage.merge(raw),
            Item::Finish(reason) => {
                if let Some(reason) = reason.text() {
                    if self.finish_reason.as_deref() != Some(&reason) {
                        self.finish_reason = Some(reason.into_owned());
                        self.finish_changed = true;
                    }
                }
            }
            Item::Done => self.done = true,
        }
        Ok(())
    }

    /// Adds answer text, through the `<think>` splitter while it looks.
    fn push_answer(&mut self, data: &str, text: Str<'_>) -> Result<(), DeltaError> {
        if self.think.is_off() {
            return push_str(&mut self.answer, data, text);
        }
        let piece = match text {
            Str::Plain(s) | Str::Json { raw: s, escaped: false } => Piece::plain(s),
            Str::Json { raw, escaped: true } => {
                let u = json::unescape(raw).map_err(|e| invalid_escape(data, raw, e))?;
                Piece { text: u.text, lead_low: u.lead_low, trail_high: u.trail_high }
            }
        };
        self.route(&piece);
        Ok(())
    }

    /// Sends a piece of answer text where the `<think>` splitter says; its lone
    /// surrogate halves go with the first and last parts.
    fn route(&mut self, piece: &Piece<'_>) {
        let mut parts: Vec<(Route, String)> = Vec::new();
        self.think.route(&piece.text, &mut |to, text| parts.push((to, text.to_owned())));
        if parts.is_empty() && (piece.lead_low.is_some() || piece.trail_high.is_some()) {
            let to = self.think.settle(&mut |to, text| parts.push((to, text.to_owned())));
            if parts.is_empty() {
                parts.push((to, String::new()));
            }
        }
        self.deliver(parts, piece.lead_low, piece.trail_high);
    }

    fn deliver(&mut self, parts: Vec<(Route, String)>, lead_low: Option<u16>, trail_high: Option<u16>) {
        let last = parts.len().saturating_sub(1);
        for (n, (to, text)) in parts.into_iter().enumerate() {
            let piece = Piece {
                text: text.into(),
                lead_low: if n == 0 { lead_low } else { None },
                trail_high: if n == last { trail_high } else { None },
            };
            match to {
                Route::Answer => self.answer.push_piece(&piece),
                Route::Reasoning => {
                    let (markdown, math) = (self.options.markdown, self.options.math);
                    let reasoning = self.reasoning.get_or_insert_with(|| Channel::new(markdown, math));
                    reasoning.push_piece(&piece);
                    self.reasoning_new |= reasoning.sent == 0;
                }
            }
        }
    }

    /// Adds answer text found some other way (a user's extractor function).
    pub fn push_text(&mut self, text: &str) {
        if !self.finished {
            self.route(&Piece::plain(text));
        }
    }

    /// Adds answer text given as UTF-16 code units (a JS string), joining a
    /// surrogate pair split between two calls. Lone surrogates become U+FFFD.
    pub fn push_utf16(&mut self, units: &[u16]) {
        let mut start = 0;
        let mut lead_low = None;
        if let Some(&first) = units.first() {
            if (0xDC00..=0xDFFF).contains(&first) {
                lead_low = Some(first);
                start = 1;
            }
        }
        let mut end = units.len();
        let mut trail_high = None;
        if end > start && (0xD800..=0xDBFF).contains(&units[end - 1]) {
            trail_high = Some(units[end - 1]);
            end -= 1;
        }
        let text: String =
            char::decode_utf16(units[start..end].iter().copied()).map(|r| r.unwrap_or('\u{FFFD}')).collect();
        if !self.finished {
            self.route(&Piece { text: text.into(), lead_low, trail_high });
        }
    }

    /// All answer text pushed so far, flushed or not.
    pub fn text(&self) -> &str {
        &self.answer.text
    }

    /// Whether an end event was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    fn changes(&self) -> Changes {
        Changes {
            reasoning: self.reasoning_new || self.reasoning.as_ref().is_some_and(|r| r.ready_end() > r.sent),
            tool_calls: self.tools.dirty(),
            usage: self.usage.changed,
            finish_reason: self.finish_changed,
        }
    }

    /// Whether a flush now would deliver something new.
    pub fn has_pending(&self) -> bool {
        !self.finished
            && (self.answer.ready_end() > self.answer.sent || self.changes().any() || self.restarted)
    }

    /// Starts the answer over: every channel is emptied, and the next flush
    /// says so ([`Flush::restarted`]). For a stream that had to be requested
    /// again from the start, so that no text of two attempts is ever joined.
    pub fn restart(&mut self) {
        if self.finished {
            return;
        }
        let options = self.options.clone();
        let items = std::mem::take(&mut self.items);
        *self = Pipeline::new(options);
        self.items = items;
        self.restarted = true;
    }

    /// Flushes what can be delivered safely; `None` if nothing new can be (no
    /// new text, or only an unfinished cluster, and no other change). After
    /// `finish`, always `None`.
    pub fn flush(&mut self) -> Option<Flush<'_>> {
        if !self.has_pending() {
            return None;
        }
        Some(self.emit(false, false))
    }

    /// Whether text that has arrived is held back: the last grapheme cluster
    /// of the answer or of the reasoning, which the next text may still extend.
    pub fn is_holding(&self) -> bool {
        let holds = |c: &Channel| c.ready_end() < c.text.len();
        !self.finished && (holds(&self.answer) || self.reasoning.as_ref().is_some_and(holds))
    }

    /// Flushes like [`Pipeline::flush`], and the held-back grapheme clusters
    /// too: for when no text has come for a while. What extends a cluster
    /// (a combining mark, a skin tone, a ZWJ and the next emoji) comes with it
    /// in the same burst; after a pause in the stream, holding its last
    /// character would only hide it. Text that extends it later still arrives
    /// in the next delta. `None` when nothing is held or new.
    pub fn release(&mut self) -> Option<Flush<'_>> {
        if !self.is_holding() && !self.has_pending() {
            return None;
        }
        Some(self.emit(false, true))
    }

    /// Ends the stream (end event, EOF, abort or error): flushes everything,
    /// including a held-back tail, and shows the text as is. Repeated calls
    /// return the same final flush with empty deltas.
    pub fn finish(&mut self) -> Flush<'_> {
        if !self.finished {
            let mut parts = Vec::new();
            self.think.finish(&mut |to, text: &str| parts.push((to, text.to_owned())));
            self.deliver(parts, None, None);
            self.answer.close();
            if let Some(reasoning) = &mut self.reasoning {
                reasoning.close();
            }
            self.finished = true;
        }
        self.emit(true, true)
    }

    /// The flush; `whole`: up to the end of the text, held clusters included.
    fn emit(&mut self, done: bool, whole: bool) -> Flush<'_> {
        let end = |c: &Channel| if whole { c.text.len() } else { c.ready_end() };
        let mut changed = self.changes();
        changed.reasoning |= self.reasoning.as_ref().is_some_and(|r| end(r) > r.sent);
        let answer_end = end(&self.answer);
        let reasoning_end = self.reasoning.as_ref().map(end);
        self.tools.emit();
        self.usage.changed = false;
        self.finish_changed = false;
        self.reasoning_new = false;
        let restarted = std::mem::take(&mut self.restarted);
        let a = self.answer.emit(answer_end, done);
        let reasoning = match (&mut self.reasoning, reasoning_end) {
            (Some(r), Some(end)) => Some(r.emit(end, done)),
            _ => None,
        };
        Flush {
            delta: a.delta,
            text: a.text,
            stable_len: a.stable_len,
            stable_len_utf16: a.stable_len_utf16,
            text_len_utf16: a.text_len_utf16,
            display_tail: a.display_tail,
            code_fence: a.code_fence,
            done,
            restarted,
            reasoning,
            tool_calls: &self.tools.calls,
            usage: (!self.usage.json.is_empty()).then_some(self.usage.json.as_str()),
            finish_reason: self.finish_reason.as_deref(),
            changed,
        }
    }
}

/// Adds a string of an event to a channel.
fn push_str(channel: &mut Channel, data: &str, text: Str<'_>) -> Result<(), DeltaError> {
    match text {
        Str::Plain(s) | Str::Json { raw: s, escaped: false } => channel.push_piece(&Piece::plain(s)),
        Str::Json { raw, escaped: true } => {
            channel.push_escaped(raw).map_err(|e| invalid_escape(data, raw, e))?
        }
    }
    Ok(())
}
