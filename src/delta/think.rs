//! A leading `<think>…</think>` block in the answer text, as reasoning models
//! served through OpenAI-compatible servers (DeepSeek-R1 distills on Ollama,
//! for instance) send their reasoning: it is split off into the reasoning
//! channel, and no part of either tag ever reaches a display, even when a tag
//! is cut across deltas (`<thi` + `nk>`).
//!
//! Only a block at the very start counts (after whitespace): a `<think>` later
//! in an answer is text the model wrote.

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

/// Where a piece of text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// To the answer.
    Answer,
    /// To the reasoning.
    Reasoning,
}

/// The splitter's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Think {
    /// Not looking (another wire format, or the answer did not start with the tag).
    Off,
    /// The text so far is whitespace and maybe the start of `<think>`: held.
    Undecided(String),
    /// Inside the block; the held text may be the start of `</think>`.
    Inside {
        /// The end of the text so far, which may begin the closing tag.
        held: String,
        /// Whether reasoning text was routed yet (leading whitespace is dropped).
        started: bool,
    },
    /// Just after `</think>`: whitespace before the answer is dropped.
    Closed,
}

impl Think {
    /// A splitter that looks for the tag (`active`) or one that passes all through.
    pub(crate) fn new(active: bool) -> Self {
        if active {
            Think::Undecided(String::new())
        } else {
            Think::Off
        }
    }

    /// Whether all text goes straight to the answer from now on.
    pub(crate) fn is_off(&self) -> bool {
        *self == Think::Off
    }

    /// Routes the next piece of answer text: `out` gets each part and where it goes.
    pub(crate) fn route(&mut self, text: &str, out: &mut impl FnMut(Route, &str)) {
        match self {
            Think::Off => out(Route::Answer, text),
            Think::Undecided(held) => {
                held.push_str(text);
                let rest = held.trim_start();
                if let Some(after) = rest.strip_prefix(OPEN) {
                    let after = after.to_owned();
                    *self = Think::Inside { held: String::new(), started: false };
                    self.route(&after, out);
                } else if !OPEN.starts_with(rest) {
                    let all = std::mem::take(held);
                    *self = Think::Off;
                    out(Route::Answer, &all);
                }
            }
            Think::Inside { held, started } => {
                held.push_str(text);
                if let Some(at) = held.find(CLOSE) {
                    let after = held[at + CLOSE.len()..].to_owned();
                    let inside = &held[..at];
                    let inside = if *started { inside } else { inside.trim_start() };
                    if !inside.is_empty() {
                        out(Route::Reasoning, inside);
                    }
                    *self = Think::Closed;
                    self.route(&after, out);
                    return;
                }
                // Keep back what may be the start of `</think>`.
                let keep = (1..CLOSE.len().min(held.len() + 1))
                    .rev()
                    .find(|&n| {
                        held.is_char_boundary(held.len() - n) && CLOSE.starts_with(&held[held.len() - n..])
                    })
                    .unwrap_or(0);
                let cut = held.len() - keep;
                let part = if *started { &held[..cut] } else { held[..cut].trim_start() };
                if !part.is_empty() {
                    *started = true;
                    out(Route::Reasoning, part);
                }
                held.drain(..cut);
            }
            Think::Closed => {
                let rest = text.trim_start();
                if !rest.is_empty() {
                    *self = Think::Off;
                    out(Route::Answer, rest);
                }
            }
        }
    }

    /// Where text goes now. A lone surrogate half is text that cannot be part of
    /// a tag, so while undecided it settles the question: no block.
    pub(crate) fn settle(&mut self, out: &mut impl FnMut(Route, &str)) -> Route {
        match self {
            Think::Inside { .. } => Route::Reasoning,
            Think::Undecided(_) => {
                self.finish(out);
                Route::Answer
            }
            Think::Closed => {
                *self = Think::Off;
                Route::Answer
            }
            Think::Off => Route::Answer,
        }
    }

    /// The end of the answer: what is held goes where it was heading (a lone
    /// `<thi` was answer text; an unclosed block is all reasoning).
    pub(crate) fn finish(&mut self, out: &mut impl FnMut(Route, &str)) {
        match std::mem::replace(self, Think::Off) {
            Think::Undecided(held) if !held.is_empty() => out(Route::Answer, &held),
            Think::Inside { held, started } => {
                let held = if started { held.as_str() } else { held.trim_start() };
                if !held.is_empty() {
                    out(Route::Reasoning, held);
                }
            }
            _ => {}
        }
    }
}
