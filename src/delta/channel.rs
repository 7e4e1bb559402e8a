//! One text channel of an answer (the answer itself, or its reasoning): the
//! text so far, what of it was flushed, and its markdown-safe display.

use super::json::{self, JsonError};
use super::{grapheme, markdown, utf16_len, Markdown, Math, Piece};

/// The text of one channel and its flush state.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    /// All text pushed so far.
    pub(crate) text: String,
    /// A high surrogate that ended the last push, waiting for its low half.
    pending_high: Option<u16>,
    /// `text[..sent]` has been flushed.
    pub(crate) sent: usize,
    sent_utf16: usize,
    stable: usize,
    stable_utf16: usize,
    display_tail: String,
    /// See [`ChannelFlush::code_fence`]: a byte range of `text`.
    code_fence: Option<(usize, usize)>,
    markdown: Option<markdown::Markdown>,
}

/// One channel's part of a flush, borrowed from the pipeline until its next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelFlush<'a> {
    /// The raw text added since the previous flush.
    pub delta: &'a str,
    /// All raw text flushed so far: the concatenation of every `delta`.
    pub text: &'a str,
    /// Length of the final part of the display, in bytes: `text[..stable_len]`
    /// is complete blocks that render the same in the final text, and the
    /// display starts with it. Never decreases.
    pub stable_len: usize,
    /// `stable_len` in UTF-16 code units.
    pub stable_len_utf16: usize,
    /// Length of `text` in UTF-16 code units.
    pub text_len_utf16: usize,
    /// The display after the stable part: the display text is
    /// `text[..stable_len] + display_tail`.
    pub display_tail: &'a str,
    /// With markdown on, while the display ends inside an open code fence:
    /// that fence's info string (trimmed, as written; its first word is the
    /// language, and may be empty). A highlighter keeps that one block open
    /// and adds the new code to it. `None` on the last flush.
    pub code_fence: Option<&'a str>,
}

impl ChannelFlush<'_> {
    /// The whole markdown-safe display text (allocates).
    pub fn display(&self) -> String {
        let mut s = String::with_capacity(self.stable_len + self.display_tail.len());
        s.push_str(&self.text[..self.stable_len]);
        s.push_str(self.display_tail);
        s
    }
}

impl Channel {
    pub(crate) fn new(mode: Markdown, math: Math) -> Self {
        let markdown = markdown::Markdown::for_mode(mode, math);
        Channel {
            text: String::new(),
            pending_high: None,
            sent: 0,
            sent_utf16: 0,
            stable: 0,
            stable_utf16: 0,
            display_tail: String::new(),
            code_fence: None,
            markdown,
        }
    }

    /// Adds the unescaped JSON string `raw`; on error nothing is added.
    pub(crate) fn push_escaped(&mut self, raw: &str) -> Result<(), JsonError> {
        append_escaped(&mut self.text, &mut self.pending_high, raw)
    }

    /// Adds a piece of text.
    pub(crate) fn push_piece(&mut self, piece: &Piece<'_>) {
        append_piece(&mut self.text, &mut self.pending_high, piece);
    }

    /// Where a flush now would end: before the last grapheme cluster, which may
    /// still grow (`e` + U+0301, 👍 + 🏽, 🇫 + 🇷).
    pub(crate) fn ready_end(&self) -> usize {
        self.sent + grapheme::last_cluster_start(&self.text[self.sent..])
    }

    /// The end: a high surrogate whose low half never came becomes U+FFFD.
    pub(crate) fn close(&mut self) {
        if self.pending_high.take().is_some() {
            self.text.push('\u{FFFD}');
        }
    }

    /// Flushes `text[..end]` (`end` ≥ the last flush's end); with `done`, the
    /// display is the text as is.
    pub(crate) fn emit(&mut self, end: usize, done: bool) -> ChannelFlush<'_> {
        let prev = self.sent;
        if end > prev || done {
            self.sent_utf16 += utf16_len(&self.text[prev..end]);
            self.sent = end;
            let text = &self.text[..end];
            let (stable, cut, suffix, code_fence) = match (&mut self.markdown, done) {
                (Some(md), false) => {
                    let v = md.view(text);
                    (v.stable, v.cut, v.suffix, v.code_fence)
                }
                _ => (end, end, String::new(), None),
            };
            self.code_fence = code_fence;
            // Stable never goes back, even if the analyser were to say so.
            let stable = stable.max(self.stable).min(end);
            let cut = cut.max(stable);
            self.stable_utf16 += utf16_len(&self.text[self.stable..stable]);
            self.stable = stable;
            self.display_tail.clear();
            self.display_tail.push_str(&self.text[stable..cut]);
            self.display_tail.push_str(&suffix);
        }
        ChannelFlush {
            delta: &self.text[prev..self.sent],
            text: &self.text[..self.sent],
            stable_len: self.stable,
            stable_len_utf16: self.stable_utf16,
            text_len_utf16: self.sent_utf16,
            display_tail: &self.display_tail,
            code_fence: self.code_fence.map(|(start, end)| &self.text[start..end]),
        }
    }
}

/// The character a UTF-16 surrogate pair encodes.
fn join_surrogates(high: u16, low: u16) -> char {
    let cp = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
    char::from_u32(cp).unwrap_or('\u{FFFD}')
}

/// Appends the unescaped JSON string `raw` to `text`, joining a surrogate pair
/// split between two events through `pending_high`. On error `text` and
/// `pending_high` are left as they were.
pub(crate) fn append_escaped(
    text: &mut String,
    pending_high: &mut Option<u16>,
    raw: &str,
) -> Result<(), JsonError> {
    let start = text.len();
    let (lead_low, trail_high) = json::unescape_into(raw, text)?;
    if pending_high.is_some() && lead_low.is_none() && text.len() == start && trail_high.is_none() {
        // An empty delta between the halves of a pair: keep waiting.
        return Ok(());
    }
    match (pending_high.take(), lead_low) {
        (Some(h), Some(l)) => text.insert(start, join_surrogates(h, l)),
        (Some(_), None) | (None, Some(_)) => text.insert(start, '\u{FFFD}'),
        (None, None) => {}
    }
    *pending_high = trail_high;
    Ok(())
}

/// Appends a piece of text to `text`, as [`append_escaped`] does.
pub(crate) fn append_piece(text: &mut String, pending_high: &mut Option<u16>, piece: &Piece<'_>) {
    if pending_high.is_some()
        && piece.lead_low.is_none()
        && piece.text.is_empty()
        && piece.trail_high.is_none()
    {
        // An empty delta between the halves of a pair: keep waiting.
        return;
    }
    match (pending_high.take(), piece.lead_low) {
        (Some(h), Some(l)) => text.push(join_surrogates(h, l)),
        (Some(_), None) | (None, Some(_)) => text.push('\u{FFFD}'),
        (None, None) => {}
    }
    text.push_str(&piece.text);
    *pending_high = piece.trail_high;
}
