//! Follows one JSON text that arrives in fragments, and reports the value
//! parsed so far.
//!
//! An LLM streams a tool call's arguments as fragments of one JSON text
//! (`{"ci`, `ty": "Par`, `is", "days": [1, 2`…), and a UI wants to show the
//! arguments while they arrive. [`PartialJson::push`] reads each fragment once
//! and appends *ops* that describe what became known: a small edit script that
//! JavaScript (`pkg-template/partial-json.js`) applies to the value it keeps. No
//! tree is built here and nothing is parsed twice: a push costs O(fragment +
//! carry), where the carry is what a fragment may end inside of (an escape, a
//! literal, a key, a number), and the state is a stack of container kinds
//! packed in a `u128` plus a small enum.
//!
//! # The op encoding
//!
//! `ops` is a comma-separated sequence of JSON values, for JavaScript to parse
//! as `'[' + ops + ']'`. Each op is an opcode, maybe followed by one argument:
//!
//! | op | meaning |
//! |----|---------|
//! | `1` | a value that is an object begins |
//! | `2` | a value that is an array begins |
//! | `3` | the innermost open object or array ends |
//! | `4,"key"` | the key of the member whose value begins with the next op |
//! | `5,<scalar>` | a complete number, `true`, `false` or `null` |
//! | `6,"text"` | a string value begins, with this text so far (maybe `""`) |
//! | `7,"text"` | text to append to the string value being read |
//!
//! The first value is the root; inside an object a value is the member named by
//! the `4` before it (always in the same push, so no member ever shows without
//! a value), inside an array it is the next element. String text is the source
//! text between the quotes, still escaped (the JSON parse on the other side
//! unescapes it), so nothing is unescaped here.
//!
//! # What is held back
//!
//! Only complete things are reported, so that the value the ops build is
//! always a "prefix" of the final one:
//!
//! ```text
//! {"a": 12        a is not shown: `123` may follow
//!          ^
//! {"a": 12,       a = 12
//! {"a": tru       a is not shown: literals are shown once spelt
//! {"ke            nothing: keys are shown once closed, with their value
//! {"a": "x\u00    a = "x": the escape is held back until complete
//! {"a": "\ud83d   a = "": a high surrogate waits for its low half
//! ```
//!
//! Holding back a high surrogate escape until the escape after it is read
//! means each op's text is well-formed UTF-16 whenever the source is, so the
//! ops parse with strict parsers too (JavaScript would join two halves anyway).
//!
//! # Validation
//!
//! The whole RFC 8259 grammar is checked as the text arrives, with nesting
//! limited to [`MAX_DEPTH`]. The first byte that cannot continue a valid JSON
//! text makes the text malformed for good: the push that holds it appends
//! nothing (its ops are taken back, so the value stays the one built by the
//! pushes before it) and returns `false`, as do all later pushes.

use super::MAX_DEPTH;

/// Opcodes of the op encoding: a value that is an object begins.
pub(crate) const OP_OBJECT: u8 = 1;
/// Opcodes of the op encoding: a value that is an array begins.
pub(crate) const OP_ARRAY: u8 = 2;
/// Opcodes of the op encoding: the innermost open object or array ends.
pub(crate) const OP_END: u8 = 3;
/// Opcodes of the op encoding: the key (a JSON string) of the member whose
/// value begins with the next op.
pub(crate) const OP_KEY: u8 = 4;
/// Opcodes of the op encoding: a complete number, `true`, `false` or `null`,
/// copied from the source.
pub(crate) const OP_SCALAR: u8 = 5;
/// Opcodes of the op encoding: a string value begins, with this text so far.
pub(crate) const OP_STRING: u8 = 6;
/// Opcodes of the op encoding: text to append to the string value being read.
pub(crate) const OP_APPEND: u8 = 7;

// The open containers' kinds are the bits of a `u128`, one per level.
const _: () = assert!(MAX_DEPTH <= 128);

/// Follows one JSON text fed in fragments; see the module docs.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartialJson {
    /// Where the reader is in the grammar.
    state: State,
    /// Bit `d` is set when the open container at depth `d` (0 = outermost) is
    /// an object, clear when it is an array.
    objects: u128,
    /// How many containers are open (at most [`MAX_DEPTH`]).
    depth: u8,
    /// The raw (still escaped) key of the member whose value comes next; while
    /// a key is read, its text so far. Reported with the value's op.
    key: String,
    /// Text read but not reported yet: the number being read, or the end of a
    /// string value held back in an escape (at most `\uXXXX\uXXX`).
    carry: String,
}

/// A position in the JSON grammar (RFC 8259 §2-§7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum State {
    /// Before a value: at the start, after `:`, after `,` in an array.
    #[default]
    Value,
    /// After `[`: a value or `]`.
    FirstElement,
    /// After `{`: a key or `}`.
    FirstKey,
    /// After `,` in an object: a key.
    Key,
    /// In a key.
    InKey(Escape),
    /// After a key: `:`.
    Colon,
    /// In a string value.
    InString(Text),
    /// In a number.
    Number(Number),
    /// In `true`, `false` or `null`, after this many bytes of it.
    Literal(Literal, u8),
    /// After a value: `,` or a closing bracket in a container, only whitespace
    /// at the top level (the text is complete).
    AfterValue,
    /// The text is not a prefix of a JSON text.
    Failed,
}

/// Where the reader is in a string's escape (RFC 8259 §7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Escape {
    /// Not in an escape.
    #[default]
    None,
    /// After `\`.
    Backslash,
    /// After `\u` and this many hex digits, whose value so far is `unit`.
    Hex {
        /// Hex digits read (0 to 3).
        digits: u8,
        /// The code unit they spell so far.
        unit: u16,
    },
}

/// The state of a string value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Text {
    /// Where the reader is in an escape.
    escape: Escape,
    /// Whether the last thing read was a `\uD800`-`\uDBFF` escape, held back
    /// until the next character tells whether its low half follows.
    after_high: bool,
}

impl Text {
    /// Whether the text from the last escape on must be held back.
    fn held(self) -> bool {
        self.escape != Escape::None || self.after_high
    }
}

/// A number's grammar (RFC 8259 §6):
/// `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    /// After `-`: a digit must follow.
    Minus,
    /// After a leading `0`: no digit may follow.
    Zero,
    /// In the integer part, after `[1-9]`.
    Int,
    /// After `.`: a digit must follow.
    Dot,
    /// In the fraction.
    Frac,
    /// After `e` or `E`: a sign or a digit must follow.
    Exp,
    /// After the exponent's sign: a digit must follow.
    ExpSign,
    /// In the exponent's digits.
    ExpDigits,
}

impl Number {
    /// The state after `b`, or `None` if `b` cannot continue the number.
    fn step(self, b: u8) -> Option<Number> {
        use Number::*;
        Some(match (self, b) {
            (Minus, b'0') => Zero,
            (Minus, b'1'..=b'9') | (Int, b'0'..=b'9') => Int,
            (Zero | Int, b'.') => Dot,
            (Dot | Frac, b'0'..=b'9') => Frac,
            (Zero | Int | Frac, b'e' | b'E') => Exp,
            (Exp, b'+' | b'-') => ExpSign,
            (Exp | ExpSign | ExpDigits, b'0'..=b'9') => ExpDigits,
            _ => return None,
        })
    }

    /// Whether the number may end here.
    fn is_complete(self) -> bool {
        matches!(self, Number::Zero | Number::Int | Number::Frac | Number::ExpDigits)
    }
}

/// One of the three literal names (RFC 8259 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Literal {
    /// `true`.
    True,
    /// `false`.
    False,
    /// `null`.
    Null,
}

impl Literal {
    /// How the literal is spelt.
    fn text(self) -> &'static str {
        match self {
            Literal::True => "true",
            Literal::False => "false",
            Literal::Null => "null",
        }
    }
}

/// The text is not a prefix of a JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Malformed;

/// RFC 8259 §2: `ws = *( %x20 / %x09 / %x0A / %x0D )`.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The index of the first `"`, `\` or control character in `bytes[from..]`,
/// or `bytes.len()`: the end of a run of plain string text.
fn plain_end(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    from + rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(rest.len())
}

/// `s[from..to]`. Every index used is next to an ASCII byte or at an end, so
/// this never falls inside a character; `get` keeps a mistake from panicking.
fn slice(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or_default()
}

/// Writes the comma that separates an op from the ones before it.
fn separate(ops: &mut String) {
    if !ops.is_empty() {
        ops.push(',');
    }
}

/// Writes a one-digit opcode.
fn push_opcode(ops: &mut String, opcode: u8) {
    ops.push(char::from(b'0' + opcode));
}

/// Appends string value text to `ops`, first opening an op 7 if this push has
/// no string op open (`open`). Empty text writes nothing: op 7 only carries
/// new text.
fn append_text(ops: &mut String, open: &mut bool, text: &str) {
    if text.is_empty() {
        return;
    }
    if !*open {
        separate(ops);
        push_opcode(ops, OP_APPEND);
        ops.push_str(",\"");
        *open = true;
    }
    ops.push_str(text);
}

/// The value of a hex digit.
fn hex_digit(b: u8) -> Result<u16, Malformed> {
    char::from(b).to_digit(16).and_then(|d| u16::try_from(d).ok()).ok_or(Malformed)
}

impl PartialJson {
    /// A reader at the start of a text.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Feeds the next fragment (any split: inside a key, a string, an escape
    /// such as `\u00e9` or `\ud83d\ude00`, a number, a literal like `tru`,
    /// whitespace). Appends to `ops` the operations that describe what became
    /// known (see the module docs); when `ops` is not empty, the first one is
    /// preceded by a comma. Returns `false` once the text so far is not a
    /// prefix of valid JSON (RFC 8259): the push that finds out appends nothing
    /// and, from then on, nothing more is appended and every call returns
    /// `false` (the value the ops built stays the last good one).
    pub(crate) fn push(&mut self, fragment: &str, ops: &mut String) -> bool {
        if self.failed() {
            return false;
        }
        let mark = ops.len();
        if self.feed(fragment, ops).is_err() {
            // Take back this push's ops: a string op may be left open, and the
            // contract is "the last good value", not half of a bad fragment.
            ops.truncate(mark);
            self.state = State::Failed;
            self.key = String::new();
            self.carry = String::new();
            return false;
        }
        true
    }

    /// Whether the text is malformed (see [`push`](Self::push)).
    pub(crate) fn failed(&self) -> bool {
        self.state == State::Failed
    }

    /// Whether one whole top-level value has been read (only whitespace may
    /// follow; anything else after it makes the text malformed). A top-level
    /// number is only complete once whitespace follows it, as more digits
    /// could come.
    #[cfg(test)]
    pub(crate) fn is_complete(&self) -> bool {
        self.state == State::AfterValue && self.depth == 0
    }

    /// Forgets everything (as [`new`](Self::new)), keeping the buffers'
    /// memory.
    pub(crate) fn reset(&mut self) {
        self.state = State::Value;
        self.objects = 0;
        self.depth = 0;
        self.key.clear();
        self.carry.clear();
    }

    /// Whether the innermost open container is an object.
    fn in_object(&self) -> bool {
        self.depth > 0 && (self.objects >> (self.depth - 1)) & 1 == 1
    }

    /// Writes the op that begins a value (with its key first, inside an
    /// object), without its argument.
    fn begin(&mut self, ops: &mut String, opcode: u8) {
        separate(ops);
        if self.in_object() {
            push_opcode(ops, OP_KEY);
            ops.push_str(",\"");
            ops.push_str(&self.key);
            ops.push_str("\",");
            self.key.clear();
        }
        push_opcode(ops, opcode);
    }

    /// Opens an object or an array; deeper than [`MAX_DEPTH`] is malformed, so
    /// that the state stays bounded.
    fn open(&mut self, object: bool, ops: &mut String) -> Result<(), Malformed> {
        if usize::from(self.depth) >= MAX_DEPTH {
            return Err(Malformed);
        }
        self.begin(ops, if object { OP_OBJECT } else { OP_ARRAY });
        let bit = 1u128.checked_shl(u32::from(self.depth)).unwrap_or(0);
        if object {
            self.objects |= bit;
        } else {
            self.objects &= !bit;
        }
        self.depth += 1;
        self.state = if object { State::FirstKey } else { State::FirstElement };
        Ok(())
    }

    /// Closes the innermost container, which must be of this kind.
    fn close(&mut self, object: bool, ops: &mut String) -> Result<(), Malformed> {
        if self.depth == 0 || self.in_object() != object {
            return Err(Malformed);
        }
        self.depth -= 1;
        separate(ops);
        push_opcode(ops, OP_END);
        self.state = State::AfterValue;
        Ok(())
    }

    /// Starts the value whose first byte is `b`, at `frag[i]`; `start` is set
    /// to where its reportable text begins.
    fn begin_value(
        &mut self,
        b: u8,
        i: usize,
        start: &mut usize,
        open_text: &mut bool,
        ops: &mut String,
    ) -> Result<(), Malformed> {
        match b {
            b'{' => return self.open(true, ops),
            b'[' => return self.open(false, ops),
            b'"' => {
                // The string shows as soon as its opening quote is read, as "".
                self.begin(ops, OP_STRING);
                ops.push_str(",\"");
                *open_text = true;
                *start = i + 1;
                self.state = State::InString(Text::default());
                return Ok(());
            }
            b'-' => self.state = State::Number(Number::Minus),
            b'0' => self.state = State::Number(Number::Zero),
            b'1'..=b'9' => self.state = State::Number(Number::Int),
            b't' => self.state = State::Literal(Literal::True, 1),
            b'f' => self.state = State::Literal(Literal::False, 1),
            b'n' => self.state = State::Literal(Literal::Null, 1),
            _ => return Err(Malformed),
        }
        *start = i;
        Ok(())
    }

    /// Reports the string value text `carry + frag[*start..end]`.
    fn flush(&mut self, frag: &str, start: &mut usize, end: usize, open_text: &mut bool, ops: &mut String) {
        append_text(ops, open_text, &self.carry);
        self.carry.clear();
        append_text(ops, open_text, slice(frag, *start, end));
        *start = end;
    }

    /// Reports the held string value text `carry + frag[*start..end]` but its
    /// last escape, the 6 bytes of a high surrogate `\uXXXX` that is held in
    /// turn: the high surrogate held before it turned out to be a lone one.
    fn flush_but_escape(
        &mut self,
        frag: &str,
        start: &mut usize,
        end: usize,
        open_text: &mut bool,
        ops: &mut String,
    ) {
        const ESCAPE: usize = "\\uXXXX".len();
        let in_frag = end.saturating_sub(*start);
        if in_frag >= ESCAPE {
            self.flush(frag, start, end - ESCAPE, open_text, ops);
        } else {
            // The escape began in the carry (all ASCII, as held text is
            // escapes only): report the carry's head, keep its tail.
            let cut = self.carry.len().saturating_sub(ESCAPE - in_frag);
            if self.carry.is_char_boundary(cut) {
                append_text(ops, open_text, slice(&self.carry, 0, cut));
                self.carry.drain(..cut);
            }
        }
    }

    /// Reads one fragment; on `Err` the caller takes back its ops.
    fn feed(&mut self, frag: &str, ops: &mut String) -> Result<(), Malformed> {
        let bytes = frag.as_bytes();
        // Where the current token's text not yet reported or carried begins in
        // `frag`: 0 when the token began in an earlier fragment.
        let mut start = 0;
        // Whether this push has written the head of an op 6 or 7 whose closing
        // quote is still to write.
        let mut open_text = false;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match self.state {
                State::Failed => return Err(Malformed),
                State::Value
                | State::FirstElement
                | State::FirstKey
                | State::Key
                | State::Colon
                | State::AfterValue
                    if is_ws(b) => {}
                State::FirstElement if b == b']' => self.close(false, ops)?,
                State::Value | State::FirstElement => {
                    self.begin_value(b, i, &mut start, &mut open_text, ops)?;
                }
                State::FirstKey if b == b'}' => self.close(true, ops)?,
                State::FirstKey | State::Key => {
                    // RFC 8259 §4: member names are strings.
                    if b != b'"' {
                        return Err(Malformed);
                    }
                    start = i + 1;
                    self.state = State::InKey(Escape::None);
                }
                State::Colon => {
                    if b != b':' {
                        return Err(Malformed);
                    }
                    self.state = State::Value;
                }
                State::AfterValue => match b {
                    // A `,` needs an open container: at the top level only
                    // whitespace may follow the value.
                    b',' if self.depth > 0 => {
                        self.state = if self.in_object() { State::Key } else { State::Value };
                    }
                    b'}' => self.close(true, ops)?,
                    b']' => self.close(false, ops)?,
                    _ => return Err(Malformed),
                },
                State::InKey(escape) => match (escape, b) {
                    (Escape::None, b'"') => {
                        self.key.push_str(slice(frag, start, i));
                        self.state = State::Colon;
                    }
                    (Escape::None, b'\\') => self.state = State::InKey(Escape::Backslash),
                    (Escape::None, 0..=0x1f) => return Err(Malformed),
                    (Escape::None, _) => {
                        i = plain_end(bytes, i + 1);
                        continue;
                    }
                    (escape, b) => self.state = State::InKey(escape_step(escape, b)?.0),
                },
                State::InString(mut text) => {
                    match (text.escape, b) {
                        (Escape::None, b'"') => {
                            // A held high surrogate is a lone one: report it.
                            self.flush(frag, &mut start, i, &mut open_text, ops);
                            if open_text {
                                ops.push('"');
                                open_text = false;
                            }
                            self.state = State::AfterValue;
                            i += 1;
                            continue;
                        }
                        (Escape::None, b'\\') => {
                            // Hold back from here, or from the high surrogate
                            // before it, which is held already.
                            if !text.after_high {
                                self.flush(frag, &mut start, i, &mut open_text, ops);
                            }
                            text.escape = Escape::Backslash;
                        }
                        // RFC 8259 §7: control characters must be escaped.
                        (Escape::None, 0..=0x1f) => return Err(Malformed),
                        (Escape::None, _) => {
                            text.after_high = false;
                            self.state = State::InString(text);
                            i = plain_end(bytes, i + 1);
                            continue;
                        }
                        (escape, b) => {
                            let (escape, unit) = escape_step(escape, b)?;
                            text.escape = escape;
                            match unit {
                                None => {}
                                Some(Some(unit)) if (0xd800..=0xdbff).contains(&unit) => {
                                    if text.after_high {
                                        self.flush_but_escape(frag, &mut start, i + 1, &mut open_text, ops);
                                    }
                                    text.after_high = true;
                                }
                                // Anything else ends the hold: a low surrogate
                                // after a high one completes the pair.
                                Some(_) => text.after_high = false,
                            }
                        }
                    }
                    self.state = State::InString(text);
                }
                State::Number(number) => match number.step(b) {
                    Some(next) => self.state = State::Number(next),
                    None if number.is_complete() && (is_ws(b) || matches!(b, b',' | b'}' | b']')) => {
                        self.begin(ops, OP_SCALAR);
                        ops.push(',');
                        ops.push_str(&self.carry);
                        ops.push_str(slice(frag, start, i));
                        self.carry.clear();
                        // The delimiter is read again, after the value.
                        self.state = State::AfterValue;
                        continue;
                    }
                    None => return Err(Malformed),
                },
                State::Literal(literal, read) => {
                    let spelling = literal.text();
                    if spelling.as_bytes().get(usize::from(read)) != Some(&b) {
                        return Err(Malformed);
                    }
                    let read = read + 1;
                    if usize::from(read) == spelling.len() {
                        self.begin(ops, OP_SCALAR);
                        ops.push(',');
                        ops.push_str(spelling);
                        self.state = State::AfterValue;
                    } else {
                        self.state = State::Literal(literal, read);
                    }
                }
            }
            i += 1;
        }
        // The fragment ends inside a token: keep or report its text.
        match self.state {
            State::InKey(_) => self.key.push_str(slice(frag, start, bytes.len())),
            State::Number(_) => self.carry.push_str(slice(frag, start, bytes.len())),
            State::InString(text) => {
                if text.held() {
                    self.carry.push_str(slice(frag, start, bytes.len()));
                } else {
                    self.flush(frag, &mut start, bytes.len(), &mut open_text, ops);
                }
                if open_text {
                    ops.push('"');
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The escape state after `b`, which is read in an escape (not in plain
/// text), and, when the escape is complete, `Some` of the code unit it spells
/// if it is a `\u` escape. RFC 8259 §7: `\" \\ \/ \b \f \n \r \t \uXXXX`.
fn escape_step(escape: Escape, b: u8) -> Result<(Escape, Option<Option<u16>>), Malformed> {
    match escape {
        Escape::None => Err(Malformed),
        Escape::Backslash => match b {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok((Escape::None, Some(None))),
            b'u' => Ok((Escape::Hex { digits: 0, unit: 0 }, None)),
            _ => Err(Malformed),
        },
        Escape::Hex { digits, unit } => {
            let unit = unit << 4 | hex_digit(b)?;
            if digits < 3 {
                Ok((Escape::Hex { digits: digits + 1, unit }, None))
            } else {
                Ok((Escape::None, Some(Some(unit))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    /// One step from a container to a value inside it.
    #[derive(Debug, Clone)]
    enum Slot {
        /// An object member.
        Key(String),
        /// An array element.
        Index(usize),
    }

    /// Builds a value from ops, as `pkg-template/partial-json.js` does (without
    /// its copy on write), checking that the ops are well-formed.
    #[derive(Debug, Default)]
    struct Applier {
        /// The value, once one began.
        root: Option<Value>,
        /// Paths of the open containers, outermost first.
        open: Vec<Vec<Slot>>,
        /// Path of the string value being read.
        string: Option<Vec<Slot>>,
        /// A key waiting for its value.
        key: Option<String>,
        /// Whether the root was closed or was a scalar (nothing may follow).
        done: bool,
    }

    /// The value at `path` in `root`.
    fn at<'a>(root: &'a mut Value, path: &[Slot]) -> &'a mut Value {
        path.iter().fold(root, |v, slot| match (slot, v) {
            (Slot::Key(k), Value::Object(m)) => m.get_mut(k).expect("member"),
            (Slot::Index(n), Value::Array(a)) => a.get_mut(*n).expect("element"),
            (slot, v) => panic!("no {slot:?} in {v}"),
        })
    }

    impl Applier {
        /// Applies the ops one push appended (`new` is `ops[before..]`), as
        /// JavaScript would: without the leading comma, in brackets.
        fn apply_push(&mut self, before: usize, new: &str) {
            let text = if before > 0 && !new.is_empty() {
                new.strip_prefix(',').expect("a comma before the first new op")
            } else {
                new
            };
            self.apply(text);
            assert!(self.key.is_none(), "a key without its value in {new:?}");
        }

        /// Applies a comma-separated op text.
        fn apply(&mut self, text: &str) {
            let ops: Vec<Value> = serde_json::from_str(&format!("[{text}]"))
                .unwrap_or_else(|e| panic!("ops {text:?} are not JSON: {e}"));
            let mut ops = ops.into_iter();
            while let Some(op) = ops.next() {
                let op = op.as_u64().expect("an opcode");
                let mut arg = || ops.next().expect("an argument");
                match u8::try_from(op).expect("a small opcode") {
                    OP_OBJECT => self.place(Value::Object(Map::new())),
                    OP_ARRAY => self.place(Value::Array(Vec::new())),
                    OP_END => {
                        self.open.pop().expect("an open container to end");
                        self.done = self.open.is_empty();
                    }
                    OP_KEY => {
                        assert!(self.key.is_none(), "two keys in a row");
                        self.key = Some(arg().as_str().expect("a string key").to_owned());
                    }
                    OP_SCALAR => {
                        let v = arg();
                        assert!(!v.is_string() && !v.is_array() && !v.is_object(), "op 5 with {v}");
                        self.place(v);
                    }
                    OP_STRING => {
                        let v = arg();
                        assert!(v.is_string(), "op 6 with {v}");
                        self.place(v);
                    }
                    OP_APPEND => {
                        let more = arg();
                        let more = more.as_str().expect("op 7 with a string");
                        assert!(!more.is_empty(), "op 7 with no text");
                        let path = self.string.as_ref().expect("a string to append to");
                        let root = self.root.as_mut().expect("a root");
                        match at(root, path) {
                            Value::String(s) => s.push_str(more),
                            v => panic!("op 7 on {v}"),
                        }
                    }
                    other => panic!("unknown opcode {other}"),
                }
            }
        }

        /// Puts a value where the next one goes.
        fn place(&mut self, v: Value) {
            assert!(!self.done, "a value after the root");
            let is_container = v.is_object() || v.is_array();
            let is_string = v.is_string();
            let path = match self.open.last() {
                None => {
                    assert!(self.root.is_none() && self.key.is_none(), "two roots, or a key at the top");
                    self.root = Some(v);
                    self.done = !is_container && !is_string;
                    Vec::new()
                }
                Some(parent_path) => {
                    let mut path = parent_path.clone();
                    let root = self.root.as_mut().expect("a root");
                    match at(root, parent_path) {
                        Value::Object(m) => {
                            let k = self.key.take().expect("a key before a member");
                            m.insert(k.clone(), v);
                            path.push(Slot::Key(k));
                        }
                        Value::Array(a) => {
                            assert!(self.key.is_none(), "a key in an array");
                            a.push(v);
                            path.push(Slot::Index(a.len() - 1));
                        }
                        other => panic!("a value inside {other}"),
                    }
                    path
                }
            };
            if is_string {
                self.string = Some(path);
            } else if is_container {
                self.open.push(path);
            }
        }
    }

    /// What feeding `pieces` one by one gives.
    #[derive(Debug)]
    struct Run {
        /// The value after each push.
        values: Vec<Option<Value>>,
        /// What each push returned.
        results: Vec<bool>,
        /// All ops.
        ops: String,
        /// The reader at the end.
        parser: PartialJson,
    }

    /// Feeds `pieces` one by one, applying each push's ops.
    fn run<'a>(pieces: impl IntoIterator<Item = &'a str>) -> Run {
        let mut parser = PartialJson::new();
        let mut applier = Applier::default();
        let mut ops = String::new();
        let (mut values, mut results) = (Vec::new(), Vec::new());
        for piece in pieces {
            let before = ops.len();
            let ok = parser.push(piece, &mut ops);
            assert_eq!(ok, !parser.failed());
            applier.apply_push(before, ops.get(before..).expect("ops only grow"));
            values.push(applier.root.clone());
            results.push(ok);
        }
        // The whole op text at once builds the same value.
        let mut once = Applier::default();
        once.apply(&ops);
        assert_eq!(once.root, applier.root, "ops {ops:?} applied at once");
        Run { values, results, ops, parser }
    }

    /// The final value of feeding `pieces`.
    fn value_of<'a>(pieces: impl IntoIterator<Item = &'a str>) -> Option<Value> {
        run(pieces).values.pop().flatten()
    }

    /// Splits `text` at these byte offsets, moved down to char boundaries.
    fn split_at<'a>(text: &'a str, cuts: &[usize]) -> Vec<&'a str> {
        let mut cuts: Vec<usize> = cuts
            .iter()
            .map(|&c| {
                let mut c = c % (text.len() + 1);
                while !text.is_char_boundary(c) {
                    c -= 1;
                }
                c
            })
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces = Vec::new();
        let mut from = 0;
        for c in cuts.into_iter().chain([text.len()]) {
            pieces.push(&text[from..c]);
            from = c;
        }
        pieces
    }

    /// One piece per char.
    fn chars(text: &str) -> Vec<&str> {
        text.char_indices().map(|(i, c)| &text[i..i + c.len_utf8()]).collect()
    }

    /// Whether `partial` may be what is known of `whole` so far: objects hold
    /// some of its members, arrays a prefix of its elements (all complete but
    /// the last), strings a prefix, scalars the same scalar.
    fn consistent(partial: &Value, whole: &Value) -> bool {
        match (partial, whole) {
            (Value::Object(p), Value::Object(w)) => {
                p.iter().all(|(k, pv)| w.get(k).is_some_and(|wv| consistent(pv, wv)))
            }
            (Value::Array(p), Value::Array(w)) => {
                p.len() <= w.len()
                    && p.iter().zip(w).enumerate().all(|(n, (pv, wv))| {
                        if n + 1 == p.len() {
                            consistent(pv, wv)
                        } else {
                            pv == wv
                        }
                    })
            }
            (Value::String(p), Value::String(w)) => w.starts_with(p.as_str()),
            (p, w) => p == w,
        }
    }

    /// Hand-written documents with every kind of token and whitespace.
    const DOCS: &[&str] = &[
        r#"{"city": "Paris", "days": [1, 2, 3], "metric": true}"#,
        " \t\n{ \"a\" : [ { } , [ ] , { \"b\" : null } , false ] , \"c\" : { \"d\" : { \"e\" : [ [ ] ] } } }\r\n",
        r#"{"esc":"q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 \u0041\u2028","k\u00e9y\n":"v"}"#,
        r#"[-0.5e+10, 0, -0, 1E5, 2.25e-3, 123456789, 1e0, -12.5E+01]"#,
        r#"[true,false,null,{},[],"",[[]],{"":{}}]"#,
        r#"{"deep":{"er":[{"x":[1,{"y":"z"}]}]},"after":"é😀 naïve 中文"}"#,
        "[\"\\ud83d\\ude00\\ud83d\\ude01\", \"\\ud83d\", \"\\ud83dx\", \"\\ud83d\\n\"] ",
        "\"top level string\\u00e9\" ",
        "{} ",
        "[] ",
        "-12.5e3 ",
        "true",
        "null ",
    ];

    /// The ops of feeding `pieces` one by one (no applier: serde_json cannot
    /// read a lone surrogate, which JSON allows), and whether all pushes
    /// succeeded and the text is complete.
    fn ops_of<'a>(pieces: impl IntoIterator<Item = &'a str>) -> (String, bool) {
        let mut p = PartialJson::new();
        let mut ops = String::new();
        for piece in pieces {
            p.push(piece, &mut ops);
        }
        (ops, !p.failed() && p.is_complete())
    }

    /// The ops with each op 7 joined to the string op before it: the same for
    /// every split of a text (none of the texts here has `",7,"` in a string).
    fn joined(ops: &str) -> String {
        ops.replace("\",7,\"", "")
    }

    #[test]
    fn every_split_of_the_hand_written_documents_gives_what_serde_json_reads() {
        for doc in DOCS {
            let (whole_ops, complete) = ops_of([*doc]);
            assert!(complete, "{doc:?}");
            // serde_json does not read lone surrogates (JSON allows them).
            let lone = doc.contains("\\ud83d\"");
            let want: Option<Value> =
                if lone { None } else { Some(serde_json::from_str(doc).expect("valid")) };
            for cut in (0..=doc.len()).filter(|&c| doc.is_char_boundary(c)) {
                let (ops, complete) = ops_of([&doc[..cut], &doc[cut..]]);
                assert!(complete, "{doc:?} cut at {cut}");
                assert_eq!(joined(&ops), joined(&whole_ops), "{doc:?} cut at {cut}");
                let Some(want) = &want else { continue };
                let r = run([&doc[..cut], &doc[cut..]]);
                assert_eq!(r.values.last().cloned().flatten().as_ref(), Some(want), "{doc:?} cut at {cut}");
                for v in r.values.iter().flatten() {
                    assert!(consistent(v, want), "{v} in {doc:?} cut at {cut}");
                }
            }
            let (ops, complete) = ops_of(chars(doc));
            assert!(complete, "{doc:?} char by char");
            assert_eq!(joined(&ops), joined(&whole_ops), "{doc:?} char by char");
            if let Some(want) = &want {
                assert_eq!(run(chars(doc)).values.last().cloned().flatten().as_ref(), Some(want), "{doc:?}");
            }
        }
    }

    #[test]
    fn lone_surrogates_are_copied_as_they_are() {
        let doc = DOCS.iter().find(|d| d.contains("\\ud83d\"")).expect("a doc with lone halves");
        assert_eq!(
            ops_of([*doc]).0,
            r#"2,6,"\ud83d\ude00\ud83d\ude01",6,"\ud83d",6,"\ud83dx",6,"\ud83d\n",3"#
        );
    }

    #[test]
    fn a_surrogate_pair_split_anywhere_is_reported_whole() {
        let doc = r#"["a\ud83d\ude00b"]"#;
        for cut in 0..=doc.len() {
            let r = run([&doc[..cut], &doc[cut..]]);
            for op in r.ops.split(',') {
                assert!(!op.ends_with("\\ud83d\""), "a lone half in {:?}", r.ops);
            }
            assert_eq!(r.values.last().cloned().flatten(), Some(serde_json::json!(["a😀b"])));
        }
    }

    #[test]
    fn a_lone_high_surrogate_is_reported_when_the_next_character_shows_it_is_alone() {
        let mut p = PartialJson::new();
        let mut ops = String::new();
        assert!(p.push(r#"["\ud83d"#, &mut ops));
        assert_eq!(ops, r#"2,6,"""#);
        assert!(p.push(r#"\ud83d"#, &mut ops));
        assert_eq!(ops, r#"2,6,"",7,"\ud83d""#, "the first is lone: the second waits");
        assert!(p.push("x", &mut ops));
        assert_eq!(ops, r#"2,6,"",7,"\ud83d",7,"\ud83dx""#);
        assert!(p.push(r#"\ud83"#, &mut ops));
        assert!(p.push(r#"d""#, &mut ops));
        assert_eq!(ops, r#"2,6,"",7,"\ud83d",7,"\ud83dx",7,"\ud83d""#);
    }

    #[test]
    fn the_ops_are_exactly_the_documented_encoding() {
        let mut p = PartialJson::new();
        let mut ops = String::new();
        for piece in [r#"{"a": [1, "x"#, r#"y", true, {}], "b"#, r#"": -2.5 }"#] {
            assert!(p.push(piece, &mut ops));
        }
        assert_eq!(ops, r#"1,4,"a",2,5,1,6,"x",7,"y",5,true,1,3,3,4,"b",5,-2.5,3"#);
        assert!(p.is_complete());
    }

    #[test]
    fn the_first_op_of_a_push_is_preceded_by_a_comma_only_when_ops_is_not_empty() {
        let mut p = PartialJson::new();
        let mut ops = String::from("9");
        assert!(p.push("[", &mut ops));
        assert_eq!(ops, "9,2");
        let mut fresh = String::new();
        assert!(p.push("1 ", &mut fresh));
        assert_eq!(fresh, "5,1");
    }

    #[test]
    fn an_empty_fragment_changes_nothing() {
        let mut p = PartialJson::new();
        let mut ops = String::new();
        for piece in ["", r#"{"k": "a\u00"#, "", "e9", "", r#"", "n": 1"#, ""] {
            let before = ops.clone();
            assert!(p.push(piece, &mut ops));
            if piece.is_empty() {
                assert_eq!(ops, before);
            }
        }
        assert!(!p.is_complete());
    }

    #[test]
    fn partial_texts_show_only_what_is_known() {
        use serde_json::json;
        let cases: &[(&[&str], Value)] = &[
            (&[r#"{"a": 12"#], json!({})),
            (&[r#"{"a": 12,"#], json!({"a": 12})),
            (&[r#"{"a": "he"#], json!({"a": "he"})),
            (&[r#"{"a": ""#], json!({"a": ""})),
            (&[r#"{"a": "x\"#], json!({"a": "x"})),
            (&[r#"{"a": "x\"#, r#"u00e9"}"#], json!({"a": "xé"})),
            (&[r#"{"a": "x\u0"#, "0", "e", r#"9"#], json!({"a": "xé"})),
            (&["[1, 2"], json!([1])),
            (&["[1, 2]"], json!([1, 2])),
            (&[r#"{"ke"#], json!({})),
            (&[r#"{"key":"#], json!({})),
            (&[r#"{"key": ["#], json!({"key": []})),
            (&[r#"{"a": tru"#], json!({})),
            (&[r#"{"a": tru"#, "e"], json!({"a": true})),
            (&[r#"{"a": -"#, "0.", "5e", "+1", "0 "], json!({"a": -0.5e10})),
            (&["[[1, [2, {}], 3"], json!([[1, [2, {}]]])),
        ];
        for (pieces, want) in cases {
            assert_eq!(value_of(pieces.iter().copied()).as_ref(), Some(want), "{pieces:?}");
        }
        assert_eq!(value_of(["  "]), None);
        assert_eq!(value_of(["12"]), None, "a top-level number waits for whitespace");
        assert_eq!(value_of(["12", " "]), Some(serde_json::json!(12)));
    }

    #[test]
    fn completeness_is_reported_once_the_top_level_value_is_read() {
        let mut p = PartialJson::new();
        let mut ops = String::new();
        assert!(p.push("[1]", &mut ops) && p.is_complete());
        assert!(p.push(" \n", &mut ops) && p.is_complete());
        assert!(!p.push("x", &mut ops) && !p.is_complete());
        p.reset();
        assert!(!p.failed() && !p.is_complete());
        assert!(p.push("1", &mut ops) && !p.is_complete());
        assert!(p.push("\t", &mut ops) && p.is_complete());
    }

    #[test]
    fn reset_forgets_everything() {
        let mut p = PartialJson::new();
        let mut ops = String::new();
        assert!(p.push(r#"{"a": [1, "b\u00"#, &mut ops));
        p.reset();
        let mut ops = String::new();
        assert!(p.push(r#""x""#, &mut ops));
        assert_eq!(ops, r#"6,"x""#);
        assert!(p.is_complete());
        assert!(!p.push("]", &mut ops));
        p.reset();
        assert!(p.push("[]", &mut String::new()));
    }

    /// Malformed texts, and the byte offset of the first byte that shows it.
    const MALFORMED: &[(&str, usize)] = &[
        (r#"{"a" 1}"#, 5),
        ("[1,]", 3),
        (r#"{"a":01}"#, 6),
        (r#""\x""#, 2),
        (r#"{"a":tru e}"#, 8),
        ("]", 0),
        ("\"a\nb\"", 2),
        ("{} x", 3),
        (r#"{"a":1,}"#, 7),
        ("[1 2]", 3),
        (r#"{"a":1 "b":2}"#, 7),
        ("{,}", 1),
        (r#"{"a"}"#, 4),
        ("nul l", 3),
        ("[1}", 2),
        ("{]", 1),
        (r#""\u12g4""#, 5),
        ("[1e]", 3),
        ("[1e+]", 4),
        ("[1.]", 3),
        ("[-]", 2),
        ("[.5]", 1),
        ("[+1]", 1),
        ("{1:2}", 1),
        ("\"a\u{0}\"", 2),
        ("[1,,2]", 3),
        ("1 2", 2),
        ("[] []", 3),
        ("[1]]", 3),
        (r#"{"k\x":1}"#, 4),
        ("\u{feff}[]", 0),
        ("[truex]", 5),
        ("[\"\\ud83d\\u\"]", 10),
        ("[1.5e3.2]", 6),
        ("-01", 2),
        ("[\"a\"\"b\"]", 4),
    ];

    /// Checks one malformed text split in two at every char boundary.
    fn check_malformed(text: &str, at: usize) {
        for cut in (0..=text.len()).filter(|&c| text.is_char_boundary(c)) {
            let mut p = PartialJson::new();
            let mut ops = String::new();
            let first = p.push(&text[..cut], &mut ops);
            assert_eq!(first, at >= cut, "{text:?} cut at {cut}");
            // A failing push takes its ops back: none here.
            let kept = if first { ops.clone() } else { String::new() };
            assert_eq!(ops, kept, "{text:?} cut at {cut}");
            for later in [&text[cut..], "[]", "", " "] {
                assert!(!p.push(later, &mut ops), "{text:?} cut at {cut}");
                assert_eq!(ops, kept, "earlier ops stay, nothing is added");
            }
            assert!(p.failed() && !p.is_complete());
        }
    }

    #[test]
    fn malformed_texts_fail_at_the_byte_that_shows_it_and_stay_failed() {
        for &(text, at) in MALFORMED {
            check_malformed(text, at);
            // Byte by byte, the push of the offending byte is the first false.
            let r = run(chars(text));
            let first_false = r.results.iter().position(|ok| !ok);
            let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            assert_eq!(first_false.map(|n| offsets[n]), Some(at), "{text:?}");
            assert!(r.results.iter().skip(first_false.unwrap_or(0)).all(|ok| !ok));
        }
    }

    #[test]
    fn a_failing_push_appends_nothing_and_later_ones_neither() {
        let mut p = PartialJson::new();
        let mut ops = String::new();
        assert!(p.push(r#"{"a": [1, "long"#, &mut ops));
        let good = ops.clone();
        assert!(!p.push(r#" text", 2, 3,, 4]"#, &mut ops));
        assert_eq!(ops, good);
        assert!(!p.push("]}", &mut ops));
        assert_eq!(ops, good);
        let mut a = Applier::default();
        a.apply(&ops);
        assert_eq!(a.root, Some(serde_json::json!({"a": [1, "long"]})));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_malformed() {
        let deep = "[".repeat(200);
        check_malformed(&deep, MAX_DEPTH);
        let limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let r = run([limit.as_str()]);
        assert!(r.parser.is_complete());
        let objects = format!("{}1{}", "{\"k\":".repeat(MAX_DEPTH + 1), "}".repeat(MAX_DEPTH + 1));
        check_malformed(&objects, MAX_DEPTH * 5);
    }

    #[test]
    fn the_ops_of_a_document_read_at_once_are_at_most_three_times_its_size() {
        let worst = [
            "[0,0,0,0,0,0,0,0,0,0]",
            r#"{"":0,"":1,"":2}"#,
            r#"{"":{},"":[],"":""}"#,
            r#"["","","",""]"#,
            "[[[[[[[[]]]]]]]]",
            "[{},{},{},{}]",
            r#""""#,
        ];
        for doc in DOCS.iter().chain(&worst) {
            let (ops, _) = ops_of([*doc]);
            assert!(ops.len() <= 3 * doc.len() + 16, "{doc:?}: {ops}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod generated {
        use super::*;
        use proptest::prelude::*;

        /// Strings with what needs escaping, non-ASCII and astral chars.
        fn text() -> impl Strategy<Value = String> {
            let pieces = vec![
                "a",
                "bc",
                " ",
                "é",
                "中",
                "😀",
                "\"",
                "\\",
                "/",
                "\n",
                "\t",
                "\u{1}",
                "\u{1f}",
                "\u{7f}",
                "\u{2028}",
                "\u{fffd}",
                "\u{10ffff}",
                "\\u00e9",
                "tru",
                "1,",
            ];
            prop_oneof![
                proptest::collection::vec(proptest::sample::select(pieces), 0..6).prop_map(|v| v.concat()),
                any::<String>(),
            ]
        }

        /// Numbers that serde_json reads back exactly: without its `float_roundtrip`
        /// feature its float parsing may be one ulp off, so these floats are exact.
        fn number() -> impl Strategy<Value = Value> {
            prop_oneof![
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                (-100_000i32..100_000, 0u32..4)
                    .prop_map(|(n, shift)| Value::from(f64::from(n) / f64::from(1u32 << shift))),
                // n·10^e is exact in an f64 (999·5^19 < 2^53); serde_json writes
                // the large ones as `1e21`.
                (-1000i32..1000, 0i32..20).prop_map(|(n, e)| Value::from(f64::from(n) * 10f64.powi(e))),
            ]
        }

        /// Any JSON value, nested up to 5 deep.
        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                number(),
                text().prop_map(Value::String),
            ];
            leaf.prop_recursive(5, 48, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    proptest::collection::vec((text(), inner), 0..6)
                        .prop_map(|members| Value::Object(members.into_iter().collect())),
                ]
            })
        }

        /// Writes a string with every non-ASCII char as `\u` escapes (astral
        /// ones as surrogate pairs) and `/` as `\/`, which serde_json never
        /// writes.
        fn write_ascii_str(s: &str, out: &mut String) {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '/' => out.push_str("\\/"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    c if c.is_ascii() && c >= ' ' => out.push(c),
                    c => {
                        let mut units = [0u16; 2];
                        for u in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{u:04X}"));
                        }
                    }
                }
            }
            out.push('"');
        }

        /// Writes a value with [`write_ascii_str`] strings.
        fn write_ascii(v: &Value, out: &mut String) {
            match v {
                Value::String(s) => write_ascii_str(s, out),
                Value::Array(a) => {
                    out.push('[');
                    for (n, e) in a.iter().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        write_ascii(e, out);
                    }
                    out.push(']');
                }
                Value::Object(m) => {
                    out.push('{');
                    for (n, (k, e)) in m.iter().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        write_ascii_str(k, out);
                        out.push(':');
                        write_ascii(e, out);
                    }
                    out.push('}');
                }
                scalar => out.push_str(&scalar.to_string()),
            }
        }

        /// A value written compact, pretty or with escapes, with whitespace
        /// after it (so that a top-level number is complete).
        fn document() -> impl Strategy<Value = (Value, String)> {
            (value(), 0..3u8).prop_map(|(v, style)| {
                let mut text = match style {
                    0 => serde_json::to_string(&v).expect("serializable"),
                    1 => serde_json::to_string_pretty(&v).expect("serializable"),
                    _ => {
                        let mut s = String::new();
                        write_ascii(&v, &mut s);
                        s
                    }
                };
                text.push('\n');
                (v, text)
            })
        }

        /// Cut points: a few random ones, or every char.
        fn cuts() -> impl Strategy<Value = Option<Vec<usize>>> {
            prop_oneof![
                4 => proptest::collection::vec(any::<usize>(), 0..16).prop_map(Some),
                1 => Just(None),
            ]
        }

        /// Text made mostly of JSON's own bytes, to reach deep into the grammar.
        fn jsonish() -> impl Strategy<Value = String> {
            let pieces = vec![
                "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "d83d", "de00", "00e9", "u", " ", "\n", "0",
                "1", "-", ".", "e", "E", "+", "true", "fals", "null", "\"k\"", "é", "😀", "x", "\u{1}",
            ];
            proptest::collection::vec(proptest::sample::select(pieces), 0..40).prop_map(|v| v.concat())
        }

        proptest! {
            // No regression files: failing cases are printed, to be added to
            // the hand-written tests.
            #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn any_value_fed_in_any_fragments_is_rebuilt_and_every_step_is_consistent(
                (original, text) in document(),
                cuts in cuts(),
            ) {
                let pieces = match &cuts {
                    Some(cuts) => split_at(&text, cuts),
                    None => chars(&text),
                };
                let r = run(pieces.iter().copied());
                prop_assert!(r.results.iter().all(|&ok| ok), "{text:?}");
                prop_assert!(r.parser.is_complete());
                prop_assert_eq!(r.values.last().cloned().flatten(), Some(original.clone()));
                for v in r.values.iter().flatten() {
                    prop_assert!(consistent(v, &original), "{} is not a start of {}", v, original);
                }
                // Linear size: what a push adds is at most 3 bytes per byte,
                // plus an op 7 head per push that continues a string.
                prop_assert!(
                    r.ops.len() <= 3 * text.len() + 5 * pieces.len() + 16,
                    "{} bytes of ops for {} bytes in {} pieces", r.ops.len(), text.len(), pieces.len()
                );
                let whole = run([text.as_str()]);
                prop_assert!(whole.ops.len() <= 3 * text.len() + 16);
            }

            #[test]
            fn any_text_fed_in_any_fragments_never_panics_and_failure_is_final(
                text in prop_oneof![any::<String>(), jsonish()],
                cuts in proptest::collection::vec(any::<usize>(), 0..12),
            ) {
                let pieces = split_at(&text, &cuts);
                let mut p = PartialJson::new();
                let mut ops = String::new();
                let mut failed = false;
                for piece in &pieces {
                    let before = ops.len();
                    let ok = p.push(piece, &mut ops);
                    if failed {
                        prop_assert!(!ok);
                        prop_assert_eq!(ops.len(), before);
                    }
                    failed |= !ok;
                }
                // The ops are well-formed whatever the text (unless it holds
                // a lone surrogate, which serde_json does not read).
                if !text.contains("\\u") {
                    let r = run(pieces.iter().copied());
                    // serde_json and the reader agree on what is JSON.
                    let padded = format!("{text} ");
                    let mut q = PartialJson::new();
                    let complete = q.push(&padded, &mut String::new()) && q.is_complete();
                    let serde: Result<Value, _> = serde_json::from_str(&text);
                    prop_assert_eq!(complete, serde.is_ok(), "{:?}", text);
                    if let Ok(v) = serde {
                        let mut a = Applier::default();
                        a.apply(&r.ops);
                        if !r.parser.is_complete() {
                            // A top-level number needs the whitespace.
                            let mut ops = r.ops.clone();
                            let mut p = r.parser.clone();
                            let before = ops.len();
                            prop_assert!(p.push(" ", &mut ops));
                            a.apply_push(before, &ops[before..]);
                        }
                        prop_assert_eq!(a.root, Some(v));
                    }
                }
            }
        }
    }
}
