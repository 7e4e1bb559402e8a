//! A small JSON scanner: walks one path into a document and unescapes one
//! string, without building a tree.
//!
//! It is not a validator. It reads as much of the document as the walk needs
//! (RFC 8259 grammar for what it reads) and reports malformed input it meets as
//! an error; it never panics, and its recursion is bounded by [`MAX_DEPTH`].
//! Keeping it this small is the point: `serde_json` would cost tens of KB of wasm.

use std::borrow::Cow;

/// Nesting deeper than this is reported as an error instead of recursing further.
pub(crate) const MAX_DEPTH: usize = 128;

/// One step of a path: an object member or an array element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// An object member with this (unescaped) name.
    Key(String),
    /// An array element; a key made of digits also matches it, as in RFC 6901.
    Index(usize),
}

/// What the scanner found at the end of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// A string, still escaped: the text between the quotes.
    Str(&'a str),
    /// `null`.
    Null,
    /// Any other value, as its raw JSON text.
    Other(&'a str),
}

/// Why the scanner gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonError {
    /// Byte offset in the document where the problem was found.
    pub(crate) at: usize,
}

/// A string value once unescaped. JSON may encode half of a UTF-16 surrogate
/// pair as `\uD83D` at the very end of one event and the other half at the
/// start of the next, so a lone half at either edge is handed back instead of
/// being replaced, for the caller to join across events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unescaped<'a> {
    /// The text; lone surrogates inside it are U+FFFD.
    pub(crate) text: Cow<'a, str>,
    /// A low surrogate that starts the string, not yet in `text`.
    pub(crate) lead_low: Option<u16>,
    /// A high surrogate that ends the string, not yet in `text`.
    pub(crate) trail_high: Option<u16>,
}

struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn err<T>(&self) -> Result<T, JsonError> {
        Err(JsonError { at: self.pos })
    }

    fn ws(&mut self) {
        // RFC 8259 §2: ws = *( %x20 / %x09 / %x0A / %x0D )
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Result<(), JsonError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            self.err()
        }
    }

    /// Skips a string starting at its opening quote; returns the raw inside.
    fn string(&mut self) -> Result<&'a str, JsonError> {
        self.eat(b'"')?;
        let start = self.pos;
        let bytes = self.src.as_bytes();
        loop {
            match memchr::memchr3(b'"', b'\\', b'\n', &bytes[self.pos..]) {
                None => {
                    self.pos = bytes.len();
                    return self.err();
                }
                Some(i) => {
                    self.pos += i;
                    match bytes[self.pos] {
                        b'"' => {
                            let raw = &self.src[start..self.pos];
                            self.pos += 1;
                            return Ok(raw);
                        }
                        // An escape: skip the backslash and the escaped byte (which may
                        // be a quote). `\u` digits are checked when unescaping.
                        b'\\' => self.pos += 2,
                        // RFC 8259 §7: control characters must be escaped.
                        _ => return self.err(),
                    }
                    if self.pos > bytes.len() {
                        self.pos = bytes.len();
                        return self.err();
                    }
                }
            }
        }
    }

    /// Skips any value; returns its raw text.
    fn skip_value(&mut self, depth: usize) -> Result<&'a str, JsonError> {
        if depth > MAX_DEPTH {
            return self.err();
        }
        self.ws();
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                self.string()?;
            }
            Some(b'{') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.ws();
                        self.string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.skip_value(depth + 1)?;
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return self.err(),
                        }
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_value(depth + 1)?;
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return self.err(),
                        }
                    }
                }
            }
            Some(b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                // Numbers and literals: a loose scan is enough, we never read them.
                while let Some(b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'E') = self.peek() {
                    self.pos += 1;
                }
            }
            _ => return self.err(),
        }
        Ok(&self.src[start..self.pos])
    }
}

/// Walks `path` from the top of `src`. `Ok(None)` means the path does not exist
/// (a member is missing, an index is past the end, or a step meets a scalar).
pub(crate) fn lookup<'a>(src: &'a str, path: &[Step]) -> Result<Option<Value<'a>>, JsonError> {
    let mut cur = Cursor { src, pos: 0 };
    for step in path {
        cur.ws();
        match (cur.peek(), step) {
            (Some(b'{'), _) => {
                cur.pos += 1;
                if !find_member(&mut cur, step)? {
                    return Ok(None);
                }
            }
            (Some(b'['), Step::Index(n)) => {
                cur.pos += 1;
                if !find_element(&mut cur, *n)? {
                    return Ok(None);
                }
            }
            (Some(_), _) => {
                // A step into a scalar (or an array by name): the path is absent, but
                // the value must still be well formed.
                cur.skip_value(0)?;
                return Ok(None);
            }
            (None, _) => return cur.err(),
        }
    }
    cur.ws();
    let raw = cur.skip_value(0)?;
    Ok(Some(if let Some(inner) = raw.strip_prefix('"') {
        // `skip_value` checked the closing quote, so this strip always succeeds.
        Value::Str(inner.strip_suffix('"').unwrap_or(inner))
    } else if raw == "null" {
        Value::Null
    } else {
        Value::Other(raw)
    }))
}

/// Leaves the cursor at the value of the member `step` names, if there is one.
fn find_member(cur: &mut Cursor<'_>, step: &Step) -> Result<bool, JsonError> {
    cur.ws();
    if cur.peek() == Some(b'}') {
        return Ok(false);
    }
    loop {
        cur.ws();
        let key = cur.string()?;
        cur.ws();
        cur.eat(b':')?;
        if key_matches(key, step) {
            return Ok(true);
        }
        cur.skip_value(1)?;
        cur.ws();
        match cur.peek() {
            Some(b',') => cur.pos += 1,
            Some(b'}') => return Ok(false),
            _ => return cur.err(),
        }
    }
}

/// Leaves the cursor at element `n` of an array, if there is one.
fn find_element(cur: &mut Cursor<'_>, n: usize) -> Result<bool, JsonError> {
    cur.ws();
    if cur.peek() == Some(b']') {
        return Ok(false);
    }
    let mut i = 0;
    loop {
        if i == n {
            cur.ws();
            return Ok(true);
        }
        cur.skip_value(1)?;
        cur.ws();
        match cur.peek() {
            Some(b',') => cur.pos += 1,
            Some(b']') => return Ok(false),
            _ => return cur.err(),
        }
        i += 1;
    }
}

fn key_matches(raw: &str, step: &Step) -> bool {
    let want: Cow<'_, str> = match step {
        Step::Key(k) => Cow::Borrowed(k.as_str()),
        // RFC 6901 §4: an array index token may also name an object member.
        Step::Index(n) => Cow::Owned(n.to_string()),
    };
    if raw.contains('\\') {
        match unescape(raw) {
            Ok(u) if u.lead_low.is_none() && u.trail_high.is_none() => u.text == want,
            _ => false,
        }
    } else {
        raw == want
    }
}

fn hex4(b: &[u8]) -> Option<u16> {
    let mut v: u16 = 0;
    for &c in b.get(..4)? {
        let d = (c as char).to_digit(16)?;
        v = (v << 4) | d as u16;
    }
    Some(v)
}

/// Unescapes the inside of a JSON string (RFC 8259 §7). Invalid escapes are an
/// error (offset relative to `raw`); lone surrogates inside become U+FFFD and
/// lone ones at the edges are returned apart (see [`Unescaped`]).
pub(crate) fn unescape(raw: &str) -> Result<Unescaped<'_>, JsonError> {
    if !raw.contains('\\') {
        return Ok(Unescaped { text: Cow::Borrowed(raw), lead_low: None, trail_high: None });
    }
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut lead_low = None;
    let mut trail_high = None;
    let mut i = 0;
    while i < bytes.len() {
        let Some(j) = memchr::memchr(b'\\', &bytes[i..]) else {
            out.push_str(&raw[i..]);
            break;
        };
        out.push_str(&raw[i..i + j]);
        i += j;
        let err = JsonError { at: i };
        let c = match bytes.get(i + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let hi = hex4(&bytes[i + 2..]).ok_or(err)?;
                i += 6;
                match hi {
                    0xD800..=0xDBFF => {
                        // A high surrogate: the pair is complete only if `\uDC00..DFFF` follows.
                        let lo = if bytes.get(i) == Some(&b'\\') && bytes.get(i + 1) == Some(&b'u') {
                            hex4(&bytes[i + 2..]).filter(|lo| (0xDC00..=0xDFFF).contains(lo))
                        } else {
                            None
                        };
                        if let Some(lo) = lo {
                            i += 6;
                            let cp = 0x10000 + (((hi as u32) - 0xD800) << 10) + ((lo as u32) - 0xDC00);
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        } else if i == bytes.len() {
                            trail_high = Some(hi);
                        } else {
                            out.push('\u{FFFD}');
                        }
                    }
                    0xDC00..=0xDFFF => {
                        if out.is_empty() && lead_low.is_none() && i == 6 {
                            lead_low = Some(hi);
                        } else {
                            out.push('\u{FFFD}');
                        }
                    }
                    _ => out.push(char::from_u32(hi as u32).unwrap_or('\u{FFFD}')),
                }
                continue;
            }
            _ => return Err(err),
        };
        out.push(c);
        i += 2;
    }
    Ok(Unescaped { text: Cow::Owned(out), lead_low, trail_high })
}

/// Parses an RFC 6901 JSON pointer (`/a/0/b`, with `~1` for `/` and `~0` for
/// `~`). The empty pointer names the whole document. `None` if it is malformed.
pub(crate) fn parse_pointer(pointer: &str) -> Option<Vec<Step>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/')
        .map(|token| {
            // RFC 6901 §4: "~1" is decoded before "~0", and any other "~" is an error.
            let mut key = String::with_capacity(token.len());
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => key.push('~'),
                        Some('1') => key.push('/'),
                        _ => return None,
                    }
                } else {
                    key.push(c);
                }
            }
            // RFC 6901 §4: array indices are "0" or digits without a leading zero.
            let is_index = !key.is_empty()
                && key.bytes().all(|b| b.is_ascii_digit())
                && (key == "0" || !key.starts_with('0'));
            Some(match key.parse::<usize>() {
                Ok(n) if is_index => Step::Index(n),
                _ => Step::Key(key),
            })
        })
        .collect()
}
