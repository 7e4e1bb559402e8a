//! A small JSON scanner: walks one path into a document and unescapes one
//! string, without building a tree.
//!
//! It is not a full validator, and it is built for speed on the hot path (one
//! pass over each event, no allocation). What it checks, so that "invalid JSON"
//! is an honest report:
//!
//! * the containers it walks (the top-level object, and every object or array on
//!   the way to the target) follow the RFC 8259 grammar: member names are
//!   strings, `:` and `,` are where they must be, containers are closed;
//! * every string it meets is terminated and holds no raw control character; the
//!   target string's escapes are checked when it is unescaped (other strings'
//!   escapes are only skipped);
//! * values it skips that are objects or arrays are only checked to be balanced,
//!   with matching brackets and terminated strings (their inner `:` and `,` are
//!   not checked); `true`, `false` and `null` must be spelt right, but numbers
//!   are scanned loosely, as they are never read.
//!
//! [`lookup`] stops as soon as the target is found (what follows is not read);
//! [`lookup_checked`] reads the whole document, to see every top-level member
//! (an `"error"` one may come after the target), and checks that only whitespace
//! follows it. It never panics, and its recursion is bounded by [`MAX_DEPTH`].
//! Keeping it this small is the point: `serde_json` would cost tens of KB of wasm.

use std::borrow::Cow;

/// Nesting deeper than this is reported as an error instead of recursing further.
pub(crate) const MAX_DEPTH: usize = 128;

/// One step of a path: an object member or an array element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// An object member with this (unescaped) name.
    Key(Cow<'static, str>),
    /// An array element; a key made of digits also matches it, as in RFC 6901.
    Index(usize),
}

impl Step {
    /// A member step with a fixed name, usable in constants.
    pub(crate) const fn key(name: &'static str) -> Step {
        Step::Key(Cow::Borrowed(name))
    }
}

/// What the scanner found at the end of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// A string: the text between the quotes, still escaped if `escaped`.
    Str {
        /// The inside of the string, as in the document.
        raw: &'a str,
        /// Whether `raw` holds a backslash (it must be unescaped).
        escaped: bool,
    },
    /// `null`.
    Null,
    /// Any other value, as its raw JSON text.
    Other(&'a str),
}

/// What [`lookup_checked`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    /// The value at the path, if any; the document has no top-level `"error"`
    /// member, or its value is `null`.
    Value(Option<Value<'a>>),
    /// The document is an object with a top-level `"error"` member that is not
    /// `null` (the first one, if the path member comes later, wins).
    Error,
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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` that is `"`, `\` or a control character
/// (below 0x20), plus maybe bits above the lowest one: that one is exact, which
/// is all [`find_special`] uses. The classic "has zero byte" / "has less than"
/// word tricks, eight bytes per step (plain `u64` ops, as fast in wasm).
#[inline(always)]
fn special_bytes(w: u64) -> u64 {
    let quote = w ^ (ONES * b'"' as u64);
    let backslash = w ^ (ONES * b'\\' as u64);
    (quote.wrapping_sub(ONES) & !quote
        | backslash.wrapping_sub(ONES) & !backslash
        | w.wrapping_sub(ONES * 0x20) & !w)
        & HIGHS
}

/// The index of the first `"`, `\` or control character in `bytes[i..]`, or
/// `bytes.len()`. Strings in events are short, so this beats a `memchr` call.
#[inline(always)]
fn find_special(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    let mut words = bytes.get(from..).unwrap_or_default().chunks_exact(8);
    for word in &mut words {
        let m = special_bytes(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    for &b in words.remainder() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// The bytes of numbers and literals, for a loose scan: `-+.0-9a-zE`.
static SCALAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = matches!(b as u8, b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'E');
        b += 1;
    }
    t
};

/// Skips whitespace from `i`. RFC 8259 §2: ws = *( %x20 / %x09 / %x0A / %x0D )
#[inline(always)]
fn ws(b: &[u8], mut i: usize) -> usize {
    // Most tokens have no whitespace before them: one test says so.
    while let Some(&c) = b.get(i) {
        if c > b' ' || !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// `b[i]` must be `want`: the index after it.
#[inline(always)]
fn eat(b: &[u8], i: usize, want: u8) -> Result<usize, JsonError> {
    if b.get(i) == Some(&want) {
        Ok(i + 1)
    } else {
        Err(JsonError { at: i.min(b.len()) })
    }
}

/// `b[i]` must be `want`, maybe after whitespace: the index after it.
#[inline(always)]
fn punct(b: &[u8], i: usize, want: u8) -> Result<usize, JsonError> {
    if b.get(i) == Some(&want) {
        Ok(i + 1)
    } else {
        eat(b, ws(b, i), want)
    }
}

/// After a member or an element, maybe after whitespace: a `,` (the index of
/// the next item and `true`) or `close` (its index and `false`).
#[inline(always)]
fn separator(b: &[u8], i: usize, close: u8) -> Result<(usize, bool), JsonError> {
    let i = if matches!(b.get(i), Some(&c) if c == b',' || c == close) { i } else { ws(b, i) };
    match b.get(i) {
        Some(b',') => Ok((ws(b, i + 1), true)),
        Some(&c) if c == close => Ok((i, false)),
        _ => Err(JsonError { at: i.min(b.len()) }),
    }
}

/// The end of a string whose inside starts at `i`: the index of its closing
/// quote, and whether it holds an escape. The byte after a backslash is
/// skipped unread (it may be a quote); escapes are checked when unescaping.
#[inline(always)]
fn string_end(b: &[u8], mut i: usize) -> Result<(usize, bool), JsonError> {
    let mut escaped = false;
    loop {
        i = find_special(b, i);
        match b.get(i) {
            Some(b'"') => return Ok((i, escaped)),
            Some(b'\\') => {
                escaped = true;
                i += 2;
            }
            // RFC 8259 §7: control characters must be escaped. Or the end.
            _ => return Err(JsonError { at: i.min(b.len()) }),
        }
    }
}

/// Skips the value that starts at `b[i]` (after whitespace); returns the
/// index after it. Objects and arrays are only checked to be balanced (see the
/// module docs).
#[inline(always)]
fn skip_value(b: &[u8], i: usize, depth: usize) -> Result<usize, JsonError> {
    match b.get(i) {
        Some(b'"') => Ok(string_end(b, i + 1)?.0 + 1),
        Some(b'{' | b'[') => skip_nested(b, i, depth),
        Some(&c) if SCALAR[c as usize] => {
            // Numbers: a loose scan is enough, we never read them. Literals are
            // checked, so that a cut `null` is not taken for another value.
            let mut j = i + 1;
            while b.get(j).is_some_and(|&c| SCALAR[c as usize]) {
                j += 1;
            }
            if c.is_ascii_lowercase() && !matches!(&b[i..j], b"null" | b"true" | b"false") {
                return Err(JsonError { at: i });
            }
            Ok(j)
        }
        _ => Err(JsonError { at: i.min(b.len()) }),
    }
}

/// Skips the object or array whose opening bracket is `b[i]` by bracket
/// matching, without recursion (a bit per open container says whether it is
/// an array); returns the index after it.
#[inline(never)]
fn skip_nested(b: &[u8], mut i: usize, depth: usize) -> Result<usize, JsonError> {
    const _: () = assert!(MAX_DEPTH <= 128, "the open containers are bits of a u128");
    let mut arrays: u128 = 0;
    let mut open = 0usize;
    loop {
        let Some(&c) = b.get(i) else { return Err(JsonError { at: b.len() }) };
        match c {
            b'"' => {
                i = string_end(b, i + 1)?.0;
            }
            b'{' | b'[' => {
                if depth + open >= MAX_DEPTH {
                    return Err(JsonError { at: i });
                }
                arrays = (arrays << 1) | u128::from(c == b'[');
                open += 1;
            }
            b'}' | b']' => {
                if open == 0 || (arrays & 1 == 1) != (c == b']') {
                    return Err(JsonError { at: i });
                }
                arrays >>= 1;
                open -= 1;
                if open == 0 {
                    return Ok(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Walks one document.
struct Walker<'a> {
    src: &'a str,
    /// Read whole containers even once the target is found ([`lookup_checked`]).
    full: bool,
    /// The value at the path, once found.
    found: Option<Value<'a>>,
    /// The path's outcome is known (found or absent): without [`Walker::full`],
    /// stop reading.
    settled: bool,
    /// A top-level `"error"` member that is not `null` was met: stop reading.
    error: bool,
    /// Where reading failed, once [`Walker::walk`] has returned [`FAILED`].
    failed_at: usize,
}

/// What [`Walker::walk`] returns when the document is malformed. A plain index
/// rather than a `Result`: the recursive call then returns in a register, not
/// through memory (in wasm too), which is measurably faster.
const FAILED: usize = usize::MAX;

impl<'a> Walker<'a> {
    fn new(src: &'a str, full: bool) -> Self {
        Walker { src, full, found: None, settled: false, error: false, failed_at: 0 }
    }

    /// Reads the value that starts at `i` (after whitespace), following `path`
    /// into it; with `watch_error`, also looks at its `"error"` member if it is
    /// an object. Returns where it stopped: after the value, or where
    /// [`Walker::stop`] said to; or [`FAILED`].
    #[inline(never)]
    fn walk(&mut self, i: usize, path: &[Step], depth: usize, watch_error: bool) -> usize {
        match self.value(i, path, depth, watch_error) {
            Ok(end) => end,
            Err(e) => {
                // `FAILED` comes from a nested call, which has set `failed_at`.
                if e.at != FAILED {
                    self.failed_at = e.at;
                }
                FAILED
            }
        }
    }

    /// [`Walker::walk`] for a nested value, as a `Result`.
    #[inline(always)]
    fn nested(&mut self, i: usize, path: &[Step], depth: usize) -> Result<usize, JsonError> {
        match self.walk(i, path, depth, false) {
            FAILED => Err(JsonError { at: FAILED }),
            end => Ok(end),
        }
    }

    /// Whether to stop reading now.
    #[inline(always)]
    fn stop(&self) -> bool {
        self.error || (self.settled && !self.full)
    }

    /// `src[start..end]`: always on character boundaries here, as every range
    /// the walker makes starts and ends next to ASCII bytes.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or_default()
    }

    /// [`Walker::walk`], as a `Result`.
    #[inline(always)]
    fn value(
        &mut self,
        i: usize,
        path: &[Step],
        depth: usize,
        watch_error: bool,
    ) -> Result<usize, JsonError> {
        let b = self.src.as_bytes();
        if depth > MAX_DEPTH {
            return Err(JsonError { at: i });
        }
        match (b.get(i), path.first()) {
            (Some(b'{'), first) if first.is_some() || watch_error => {
                let end = self.object(i, path, depth, watch_error)?;
                if path.is_empty() && !self.error {
                    self.found = Some(Value::Other(self.slice(i, end)));
                    self.settled = true;
                }
                Ok(end)
            }
            (Some(b'['), Some(&Step::Index(n))) => self.array(i, n, &path[1..], depth),
            (Some(b'"'), None) => {
                let (end, escaped) = string_end(b, i + 1)?;
                self.found = Some(Value::Str { raw: self.slice(i + 1, end), escaped });
                self.settled = true;
                Ok(end + 1)
            }
            (_, first) => {
                // The target itself, or a step into a scalar (or into an array by
                // name): the path is absent, but the value must still be well formed.
                let end = skip_value(b, i, depth)?;
                if first.is_none() {
                    self.found = Some(if &b[i..end] == b"null" {
                        Value::Null
                    } else {
                        Value::Other(self.slice(i, end))
                    });
                }
                self.settled = true;
                Ok(end)
            }
        }
    }

    /// [`Walker::walk`] for an object: `b[i]` is its `{`.
    #[inline(always)]
    fn object(
        &mut self,
        i: usize,
        path: &[Step],
        depth: usize,
        watch_error: bool,
    ) -> Result<usize, JsonError> {
        let b = self.src.as_bytes();
        // The member the path's next step names, until found.
        let mut want = path.first();
        let mut i = ws(b, i + 1);
        if b.get(i) == Some(&b'}') {
            return Ok(i + 1);
        }
        loop {
            let key_start = eat(b, i, b'"')?;
            let (key_end, escaped) = string_end(b, key_start)?;
            let key = &b[key_start..key_end];
            i = ws(b, punct(b, key_end + 1, b':')?);
            if watch_error && key_is(key, escaped, b"error") {
                let end = skip_value(b, i, depth + 1)?;
                if &b[i..end] != b"null" {
                    self.error = true;
                    return Ok(end);
                }
                i = end;
            } else if want.is_some_and(|step| key_matches(key, escaped, step)) {
                // The first member of that name is the one.
                want = None;
                i = self.nested(i, &path[1..], depth + 1)?;
                if self.stop() {
                    return Ok(i);
                }
            } else {
                i = skip_value(b, i, depth + 1)?;
            }
            match separator(b, i, b'}')? {
                (next, true) => i = next,
                (at_close, false) => {
                    i = at_close;
                    break;
                }
            }
        }
        if want.is_some() {
            // No such member.
            self.settled = true;
        }
        Ok(i + 1)
    }

    /// [`Walker::walk`] for an array, to its element `n` then `rest`: `b[i]` is its `[`.
    #[inline(always)]
    fn array(&mut self, i: usize, n: usize, rest: &[Step], depth: usize) -> Result<usize, JsonError> {
        let b = self.src.as_bytes();
        let mut i = ws(b, i + 1);
        if b.get(i) == Some(&b']') {
            self.settled = true;
            return Ok(i + 1);
        }
        let mut k = 0usize;
        loop {
            if k == n {
                i = self.nested(i, rest, depth + 1)?;
                if self.stop() {
                    return Ok(i);
                }
            } else {
                i = skip_value(b, i, depth + 1)?;
            }
            k = k.saturating_add(1);
            match separator(b, i, b']')? {
                (next, true) => i = next,
                (at_close, false) => {
                    i = at_close;
                    break;
                }
            }
        }
        if k <= n {
            // Past the end.
            self.settled = true;
        }
        Ok(i + 1)
    }
}

/// Walks `path` from the top of `src`, reading only as far as needed. `Ok(None)`
/// means the path does not exist (a member is missing, an index is past the end,
/// or a step meets a scalar).
pub(crate) fn lookup<'a>(src: &'a str, path: &[Step]) -> Result<Option<Value<'a>>, JsonError> {
    let mut w = Walker::new(src, false);
    if w.walk(ws(src.as_bytes(), 0), path, 0, false) == FAILED {
        return Err(JsonError { at: w.failed_at });
    }
    Ok(w.found)
}

/// One pass over the whole of `src`: the value at `path` and whether the
/// document is an object with a non-null top-level `"error"` member. Reading
/// stops at such a member (the error wins whatever follows); otherwise the
/// document must end after its value, but for whitespace.
pub(crate) fn lookup_checked<'a>(src: &'a str, path: &[Step]) -> Result<Found<'a>, JsonError> {
    let b = src.as_bytes();
    let mut w = Walker::new(src, true);
    let end = w.walk(ws(b, 0), path, 0, true);
    if end == FAILED {
        return Err(JsonError { at: w.failed_at });
    }
    if w.error {
        return Ok(Found::Error);
    }
    let end = ws(b, end);
    if end != b.len() {
        return Err(JsonError { at: end });
    }
    Ok(Found::Value(w.found))
}

/// Whether a raw member name is `name` once unescaped.
#[inline(always)]
fn key_is(raw: &[u8], escaped: bool, name: &[u8]) -> bool {
    if escaped {
        // `raw` lies between two quotes of a `str`, so it is UTF-8.
        let raw = std::str::from_utf8(raw).unwrap_or_default();
        matches!(unescape(raw), Ok(u) if u.lead_low.is_none() && u.trail_high.is_none() && u.text.as_bytes() == name)
    } else {
        // Names are short: a byte loop beats a `memcmp` call.
        raw.len() == name.len() && raw.iter().zip(name).all(|(a, b)| a == b)
    }
}

#[inline(always)]
fn key_matches(raw: &[u8], escaped: bool, step: &Step) -> bool {
    match step {
        Step::Key(k) => key_is(raw, escaped, k.as_bytes()),
        Step::Index(n) => index_matches(raw, escaped, *n),
    }
}

/// RFC 6901 §4: an array index token may also name an object member: `n` in
/// decimal, without leading zeros.
#[inline(never)]
fn index_matches(raw: &[u8], escaped: bool, n: usize) -> bool {
    if escaped {
        let raw = std::str::from_utf8(raw).unwrap_or_default();
        return matches!(unescape(raw), Ok(u) if u.lead_low.is_none() && u.trail_high.is_none()
            && index_matches(u.text.as_bytes(), false, n));
    }
    match raw {
        [b'0'] => n == 0,
        [b'1'..=b'9', ..] if raw.iter().all(u8::is_ascii_digit) => {
            let mut v: usize = 0;
            for &d in raw {
                match v.checked_mul(10).and_then(|v| v.checked_add(usize::from(d - b'0'))) {
                    Some(next) => v = next,
                    None => return false,
                }
            }
            v == n
        }
        _ => false,
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
/// lone ones at the edges are returned apart (see [`Unescaped`]). Borrows
/// `raw` when it has no escape.
pub(crate) fn unescape(raw: &str) -> Result<Unescaped<'_>, JsonError> {
    if !raw.contains('\\') {
        return Ok(Unescaped { text: Cow::Borrowed(raw), lead_low: None, trail_high: None });
    }
    let mut out = String::with_capacity(raw.len());
    let (lead_low, trail_high) = unescape_into(raw, &mut out)?;
    Ok(Unescaped { text: Cow::Owned(out), lead_low, trail_high })
}

/// [`unescape`], appending the text to `out`; returns the lone surrogates at
/// the edges (lead, trail). On error `out` is left as it was.
pub(crate) fn unescape_into(raw: &str, out: &mut String) -> Result<(Option<u16>, Option<u16>), JsonError> {
    let mark = out.len();
    let result = unescape_append(raw, out);
    if result.is_err() {
        out.truncate(mark);
    }
    result
}

fn unescape_append(raw: &str, out: &mut String) -> Result<(Option<u16>, Option<u16>), JsonError> {
    let bytes = raw.as_bytes();
    out.reserve(raw.len());
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
                        // Only a low half that starts the string waits for a high one
                        // from the event before.
                        if i == 6 {
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
    Ok((lead_low, trail_high))
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
                _ => Step::Key(Cow::Owned(key)),
            })
        })
        .collect()
}

/// A member name as it is in the document: compared without allocating.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> Key<'a> {
    /// Whether the name, once unescaped, is `name`.
    #[inline(always)]
    pub(crate) fn is(&self, name: &str) -> bool {
        key_is(self.raw, self.escaped, name.as_bytes())
    }

    /// The name as in the document, still escaped.
    pub(crate) fn raw(&self) -> &'a str {
        std::str::from_utf8(self.raw).unwrap_or_default()
    }

    /// Whether the name is the decimal form of `n` (RFC 6901 §4).
    pub(crate) fn is_index(&self, n: usize) -> bool {
        index_matches(self.raw, self.escaped, n)
    }
}

/// One pass over a document for a wire format that needs several members of
/// one event: the format walks the containers it cares about with
/// [`Doc::members`] and [`Doc::elements`], and skips the rest with
/// [`Doc::skip`]. Every callback returns where its value ended, so nothing is
/// read twice. The checks are those of the module docs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Doc<'a> {
    src: &'a str,
}

impl<'a> Doc<'a> {
    /// A document to read.
    pub(crate) fn new(src: &'a str) -> Self {
        Doc { src }
    }

    /// Where the top-level value starts.
    pub(crate) fn start(&self) -> usize {
        ws(self.src.as_bytes(), 0)
    }

    /// The first byte of the value at `i` (`{`, `[`, `"`, a digit...), if any.
    #[inline(always)]
    pub(crate) fn byte(&self, i: usize) -> Option<u8> {
        self.src.as_bytes().get(i).copied()
    }

    /// Checks that only whitespace follows the top-level value ending at `end`.
    pub(crate) fn end(&self, end: usize) -> Result<(), JsonError> {
        let b = self.src.as_bytes();
        let end = ws(b, end);
        if end == b.len() {
            Ok(())
        } else {
            Err(JsonError { at: end })
        }
    }

    /// Skips the value at `i`, nested `depth` deep; returns the index after it.
    /// Not inlined, like [`Doc::value`]: walks call it from every branch.
    #[inline(never)]
    pub(crate) fn skip(&self, i: usize, depth: usize) -> Result<usize, JsonError> {
        skip_value(self.src.as_bytes(), i, depth)
    }

    /// Reads the value at `i`: a string (still escaped), `null`, or any other
    /// value as its raw text. Returns it and the index after it.
    #[inline(never)]
    pub(crate) fn value(&self, i: usize, depth: usize) -> Result<(Value<'a>, usize), JsonError> {
        let b = self.src.as_bytes();
        if b.get(i) == Some(&b'"') {
            let (end, escaped) = string_end(b, i + 1)?;
            return Ok((Value::Str { raw: self.slice(i + 1, end), escaped }, end + 1));
        }
        let end = skip_value(b, i, depth)?;
        let raw = self.slice(i, end);
        Ok((if raw == "null" { Value::Null } else { Value::Other(raw) }, end))
    }

    /// Calls `each(key, start)` for every member of the object whose `{` is at
    /// `i` (`depth` is the object's own depth); `each` returns the index after
    /// the member's value (reading or skipping it). Returns the index after `}`.
    #[inline(always)]
    pub(crate) fn members(
        &self,
        i: usize,
        depth: usize,
        mut each: impl FnMut(Key<'a>, usize) -> Result<usize, JsonError>,
    ) -> Result<usize, JsonError> {
        let b = self.src.as_bytes();
        if depth >= MAX_DEPTH {
            return Err(JsonError { at: i });
        }
        let mut i = ws(b, eat(b, i, b'{')?);
        if b.get(i) == Some(&b'}') {
            return Ok(i + 1);
        }
        loop {
            let (key, value_at) = member_key(b, i)?;
            i = each(key, value_at)?;
            match separator(b, i, b'}')? {
                (next, true) => i = next,
                (at_close, false) => return Ok(at_close + 1),
            }
        }
    }

    /// Calls `each(n, start)` for every element of the array whose `[` is at
    /// `i`, as [`Doc::members`] does for an object.
    #[inline(always)]
    pub(crate) fn elements(
        &self,
        i: usize,
        depth: usize,
        mut each: impl FnMut(usize, usize) -> Result<usize, JsonError>,
    ) -> Result<usize, JsonError> {
        let b = self.src.as_bytes();
        if depth >= MAX_DEPTH {
            return Err(JsonError { at: i });
        }
        let mut i = ws(b, eat(b, i, b'[')?);
        if b.get(i) == Some(&b']') {
            return Ok(i + 1);
        }
        let mut n = 0;
        loop {
            i = each(n, i)?;
            n += 1;
            match separator(b, i, b']')? {
                (next, true) => i = next,
                (at_close, false) => return Ok(at_close + 1),
            }
        }
    }

    /// `src[start..end]`, on character boundaries (next to ASCII bytes).
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or_default()
    }
}

/// The key of the object member at `i` and where its value starts. Not
/// inlined: every walk over an object shares it, and one copy per caller
/// would weigh more than the call costs.
#[inline(never)]
fn member_key(b: &[u8], i: usize) -> Result<(Key<'_>, usize), JsonError> {
    let key_start = eat(b, i, b'"')?;
    let (key_end, escaped) = string_end(b, key_start)?;
    let key = Key { raw: b.get(key_start..key_end).unwrap_or_default(), escaped };
    Ok((key, ws(b, punct(b, key_end + 1, b':')?)))
}
