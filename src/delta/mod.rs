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

mod extract;
mod grapheme;
mod inline;
mod json;
mod markdown;
#[cfg(test)]
mod tests;

use extract::Raw;
pub use extract::{DeltaError, Extracted, Extractor, JsonPointer, Piece};

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

/// Pipeline settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PipelineOptions {
    /// Where the text of each event is.
    pub extractor: Extractor,
    /// How the display text treats markdown.
    pub markdown: Markdown,
}

impl PipelineOptions {
    /// Options with this extractor and no markdown handling.
    pub fn new(extractor: Extractor) -> Self {
        PipelineOptions { extractor, markdown: Markdown::Off }
    }

    /// Sets [`PipelineOptions::markdown`].
    pub fn markdown(mut self, mode: Markdown) -> Self {
        self.markdown = mode;
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

/// One flush, borrowed from the pipeline until its next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flush<'a> {
    /// The raw text added since the previous flush.
    pub delta: &'a str,
    /// All raw text flushed so far: the concatenation of every `delta`.
    pub text: &'a str,
    /// Length of the final part of the display, in bytes: `text[..stable_len]`
    /// is complete blocks that render the same in the final text, and the
    /// display starts with it. Never decreases.
    pub stable_len: usize,
    /// [`Flush::stable_len`] in UTF-16 code units.
    pub stable_len_utf16: usize,
    /// Length of [`Flush::text`] in UTF-16 code units.
    pub text_len_utf16: usize,
    /// The display after the stable part: the display text is
    /// `text[..stable_len] + display_tail`.
    pub display_tail: &'a str,
    /// The stream has ended; this is the last flush.
    pub done: bool,
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

/// The markdown-safe display of `text`, an answer that may still go on: the
/// same as a flush's display in `mode`, without holding back the last grapheme
/// cluster. For one-off use; a [`Pipeline`] does this incrementally.
pub fn view(text: &str, mode: Markdown) -> String {
    let heal = match mode {
        Markdown::Off => return text.to_owned(),
        Markdown::Hold => false,
        Markdown::Heal => true,
    };
    let v = markdown::Markdown::new(heal).view(text);
    let mut out = String::with_capacity(v.cut + v.suffix.len());
    out.push_str(&text[..v.cut]);
    out.push_str(&v.suffix);
    out
}

/// Number of UTF-16 code units in `s`.
pub fn utf16_len(s: &str) -> usize {
    // One unit per UTF-8 lead byte (any byte but a continuation byte), and a
    // second one for each four-byte sequence (its lead is 0xF0 or above): a
    // branch-free sum over bytes, which the compiler vectorizes.
    s.bytes().map(|b| usize::from((b as i8) >= -0x40) + usize::from(b >= 0xF0)).sum()
}

/// The character a UTF-16 surrogate pair encodes.
fn join_surrogates(high: u16, low: u16) -> char {
    let cp = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
    char::from_u32(cp).unwrap_or('\u{FFFD}')
}

/// The pipeline. See the module docs.
#[derive(Debug, Clone)]
pub struct Pipeline {
    options: PipelineOptions,
    /// All text pushed so far.
    text: String,
    /// A high surrogate that ended the last push, waiting for its low half.
    pending_high: Option<u16>,
    /// `text[..sent]` has been flushed.
    sent: usize,
    sent_utf16: usize,
    stable: usize,
    stable_utf16: usize,
    display_tail: String,
    markdown: Option<markdown::Markdown>,
    done: bool,
    finished: bool,
}

impl Pipeline {
    /// A pipeline with these options.
    pub fn new(options: PipelineOptions) -> Self {
        let markdown = match options.markdown {
            Markdown::Off => None,
            Markdown::Hold => Some(markdown::Markdown::new(false)),
            Markdown::Heal => Some(markdown::Markdown::new(true)),
        };
        Pipeline {
            options,
            text: String::new(),
            pending_high: None,
            sent: 0,
            sent_utf16: 0,
            stable: 0,
            stable_utf16: 0,
            display_tail: String::new(),
            markdown,
            done: false,
            finished: false,
        }
    }

    /// Extracts the text of one event and adds it. On `Err` nothing was added:
    /// the driver should report the error and call [`Pipeline::finish`], which
    /// still delivers all text so far. After `Done` or `finish`, events are ignored.
    pub fn push_event(&mut self, event: &str, data: &str) -> Result<Status, DeltaError> {
        if self.done || self.finished {
            return Ok(Status::Done);
        }
        // The text is borrowed from `data`, or unescaped straight into `self.text`:
        // no allocation per event.
        match self.options.extractor.extract_raw(event, data)? {
            Raw::Plain(text) | Raw::Json { raw: text, escaped: false } => {
                self.push_piece(&Piece::plain(text))
            }
            Raw::Json { raw, escaped: true } => self.push_escaped(data, raw)?,
            Raw::Nothing => {}
            Raw::Done => {
                self.done = true;
                return Ok(Status::Done);
            }
        }
        Ok(Status::Continue)
    }

    /// Adds the unescaped JSON string `raw` (a subslice of `data`), as
    /// [`Pipeline::push_piece`] would add its [`Piece`].
    fn push_escaped(&mut self, data: &str, raw: &str) -> Result<(), DeltaError> {
        let start = self.text.len();
        let (lead_low, trail_high) =
            json::unescape_into(raw, &mut self.text).map_err(|e| extract::invalid_escape(data, raw, e))?;
        if self.pending_high.is_some()
            && lead_low.is_none()
            && self.text.len() == start
            && trail_high.is_none()
        {
            // An empty delta between the halves of a pair: keep waiting.
            return Ok(());
        }
        match (self.pending_high.take(), lead_low) {
            (Some(h), Some(l)) => self.text.insert(start, join_surrogates(h, l)),
            (Some(_), None) | (None, Some(_)) => self.text.insert(start, '\u{FFFD}'),
            (None, None) => {}
        }
        self.pending_high = trail_high;
        Ok(())
    }

    /// Adds text found some other way (a user's extractor function).
    pub fn push_text(&mut self, text: &str) {
        self.push_piece(&Piece { text: text.into(), lead_low: None, trail_high: None });
    }

    /// Adds text given as UTF-16 code units (a JS string), joining a surrogate
    /// pair split between two calls. Lone surrogates become U+FFFD.
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
        self.push_piece(&Piece { text: text.into(), lead_low, trail_high });
    }

    fn push_piece(&mut self, piece: &Piece<'_>) {
        if self.finished {
            return;
        }
        if self.pending_high.is_some()
            && piece.lead_low.is_none()
            && piece.text.is_empty()
            && piece.trail_high.is_none()
        {
            // An empty delta between the halves of a pair: keep waiting.
            return;
        }
        match (self.pending_high.take(), piece.lead_low) {
            (Some(h), Some(l)) => self.text.push(join_surrogates(h, l)),
            (Some(_), None) | (None, Some(_)) => self.text.push('\u{FFFD}'),
            (None, None) => {}
        }
        self.text.push_str(&piece.text);
        self.pending_high = piece.trail_high;
    }

    /// All text pushed so far, flushed or not.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether an end event was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Whether a flush now would deliver new text.
    pub fn has_pending(&self) -> bool {
        grapheme::last_cluster_start(&self.text[self.sent..]) > 0
    }

    /// Flushes what can be delivered safely; `None` if nothing new can be (no new
    /// text, or only an unfinished cluster). After `finish`, always `None`.
    pub fn flush(&mut self) -> Option<Flush<'_>> {
        if self.finished {
            return None;
        }
        // Hold back the last grapheme cluster: it may still grow.
        let end = self.sent + grapheme::last_cluster_start(&self.text[self.sent..]);
        if end == self.sent {
            return None;
        }
        Some(self.emit(end, false))
    }

    /// Ends the stream (end event, EOF, abort or error): flushes everything,
    /// including a held-back tail, and shows the text as is. Repeated calls
    /// return the same final flush with an empty delta.
    pub fn finish(&mut self) -> Flush<'_> {
        if let Some(_high) = self.pending_high.take() {
            // A high surrogate whose low half never came.
            self.text.push('\u{FFFD}');
        }
        self.finished = true;
        self.emit(self.text.len(), true)
    }

    fn emit(&mut self, end: usize, done: bool) -> Flush<'_> {
        let prev = self.sent;
        self.sent_utf16 += utf16_len(&self.text[prev..end]);
        self.sent = end;
        let text = &self.text[..end];
        let (stable, cut, suffix) = match (&mut self.markdown, done) {
            (Some(md), false) => {
                let v = md.view(text);
                (v.stable, v.cut, v.suffix)
            }
            _ => (end, end, String::new()),
        };
        // Stable never goes back, even if the analyser were to say so.
        let stable = stable.max(self.stable).min(end);
        let cut = cut.max(stable);
        self.stable_utf16 += utf16_len(&self.text[self.stable..stable]);
        self.stable = stable;
        self.display_tail.clear();
        self.display_tail.push_str(&self.text[stable..cut]);
        self.display_tail.push_str(&suffix);
        Flush {
            delta: &self.text[prev..end],
            text: &self.text[..end],
            stable_len: stable,
            stable_len_utf16: self.stable_utf16,
            text_len_utf16: self.sent_utf16,
            display_tail: &self.display_tail,
            done,
        }
    }
}
