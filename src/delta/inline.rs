//! Inline analysis of the live leaf block: which constructs are still open at
//! the end of a text that may go on, where `Hold` must cut, and which closers
//! `Heal` appends.
//!
//! Section numbers ("spec 6.2") are those of CommonMark 0.31.2
//! (<https://spec.commonmark.org/0.31.2/>); "GFM" sections are those of the
//! GitHub Flavored Markdown spec 0.29-gfm (<https://github.github.com/gfm/>).
//!
//! It follows CommonMark's inline rules closely enough to agree with a
//! conforming renderer on what is open. Three steps:
//! 1. [`Scan`] reads the text once, left to right, with one small function per
//!    construct: escapes (spec 2.4), code spans (6.1), `$` math
//!    (pulldown-cmark's extension), raw HTML and autolinks (6.5, 6.6),
//!    entities (2.5), link and image brackets (6.3, 6.4) and delimiter runs
//!    (6.2, GFM 6.5 strikethrough). It stops at the first construct whose
//!    content runs to the end of the text (a [`Tail`]).
//! 2. [`Scan::open_set`] matches the delimiter runs ("process emphasis", spec
//!    appendix "A parsing strategy") and lists what is still open.
//! 3. [`hold`] cuts before the first open construct; [`heal`] closes what it
//!    safely can and cuts before the rest.

use super::Math;

/// The result for one leaf.
pub(crate) struct Inline {
    /// Byte offset (in the analysed text) where the display stops.
    pub(crate) cut: usize,
    /// Closers to append after the cut (`Heal` only).
    pub(crate) suffix: String,
}

#[derive(Debug, Clone, Copy)]
struct Delim {
    pos: usize,
    ch: u8,
    len: usize,
    orig: usize,
    can_open: bool,
    can_close: bool,
}

#[derive(Debug, Clone, Copy)]
struct Bracket {
    pos: usize,
    image: bool,
    active: bool,
    /// Delimiters from this index on are inside the bracket.
    bottom: usize,
}

/// The construct that ended the scan: everything after its opener is its content.
#[derive(Debug, Clone, Copy)]
enum Tail {
    /// Nothing open at the end.
    None,
    /// Something at `pos` whose meaning the next characters decide (a trailing
    /// delimiter run, `\`, `!`, `<`, `&`...): hidden in both modes.
    Ambiguous(usize),
    /// A code span opened at `pos` with `n` backticks and not closed yet.
    Code { pos: usize, n: usize },
    /// Math opened at `pos` with `n` dollars (1 inline, 2 display).
    Math { pos: usize, n: usize },
    /// A link or image whose text ended at `close` (the `]`) and whose
    /// destination or label is still arriving (or has not started).
    Link { open: usize, close: usize, image: bool },
}

fn is_punct(c: char) -> bool {
    // Spec 2.1: ASCII punctuation and Unicode P and S categories; outside ASCII
    // we take every non-alphanumeric, non-space character as such.
    if c.is_ascii() {
        c.is_ascii_punctuation()
    } else {
        !c.is_alphanumeric() && !c.is_whitespace()
    }
}

/// Spec 6.2 "left-flanking" / "right-flanking", with the start and end of the
/// text counting as whitespace.
fn flanking(before: Option<char>, after: Option<char>) -> (bool, bool) {
    let b = before.unwrap_or(' ');
    let a = after.unwrap_or(' ');
    let left = !a.is_whitespace() && (!is_punct(a) || b.is_whitespace() || is_punct(b));
    let right = !b.is_whitespace() && (!is_punct(b) || a.is_whitespace() || is_punct(a));
    (left, right)
}

fn char_before(s: &str, i: usize) -> Option<char> {
    s[..i].chars().next_back()
}

fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|t| t.chars().next())
}

/// The "process emphasis" procedure of the spec's appendix ("A parsing
/// strategy"), over `delims[bottom..]`. Matched delimiters lose
/// their length; what is left with `can_open` is still open.
fn process_emphasis(delims: &mut [Delim], bottom: usize, pairs: &mut Vec<(usize, usize)>) {
    let mut c = bottom;
    while c < delims.len() {
        let closer = delims[c];
        if !closer.can_close || closer.len == 0 {
            c += 1;
            continue;
        }
        let mut found = None;
        for o in (bottom..c).rev() {
            let op = delims[o];
            if op.ch != closer.ch || !op.can_open || op.len == 0 {
                continue;
            }
            if closer.ch == b'~' {
                // GFM 6.5: strikethrough needs runs of the same length.
                if op.len != closer.len {
                    continue;
                }
            } else if (op.can_close || closer.can_open)
                && (op.orig + closer.orig).is_multiple_of(3)
                && !(op.orig.is_multiple_of(3) && closer.orig.is_multiple_of(3))
            {
                // Spec 6.2, rule 9/10: "the sum of the lengths of the delimiter runs
                // containing the opening and closing delimiters must not be a
                // multiple of 3 unless both lengths are multiples of 3".
                continue;
            }
            found = Some(o);
            break;
        }
        match found {
            Some(o) => {
                let n = if closer.ch == b'~' {
                    closer.len
                } else if delims[o].len >= 2 && closer.len >= 2 {
                    2
                } else {
                    1
                };
                delims[o].len -= n;
                delims[c].len -= n;
                pairs.push((delims[o].pos, delims[c].pos));
                // Delimiters between the pair can no longer match anything.
                for d in &mut delims[o + 1..c] {
                    d.len = 0;
                }
                if delims[c].len == 0 {
                    c += 1;
                }
            }
            None => {
                if !closer.can_open {
                    delims[c].len = 0;
                }
                c += 1;
            }
        }
    }
}

/// Spec 6.3: an inline link's `(destination "title")` after `](`, from `i` (just
/// after the `(`). `Ok(Some(end))`: complete, ending before `end`; `Ok(None)`:
/// may still complete; `Err(())`: cannot be a link destination.
fn link_tail(s: &[u8], mut i: usize) -> Result<Option<usize>, ()> {
    let skip_ws = |i: &mut usize| {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = s.get(*i) {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    match s.get(i) {
        None => return Ok(None),
        Some(b')') => return Ok(Some(i + 1)),
        Some(b'<') => {
            i += 1;
            loop {
                match s.get(i) {
                    None => return Ok(None),
                    Some(b'>') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') => i += 2,
                    Some(b'\n' | b'<') => return Err(()),
                    Some(_) => i += 1,
                }
            }
        }
        Some(_) => {
            let mut depth = 0usize;
            loop {
                match s.get(i) {
                    None => return Ok(None),
                    Some(b'\\') => i += 2,
                    Some(b'(') => {
                        depth += 1;
                        i += 1;
                    }
                    Some(b')') if depth == 0 => break,
                    Some(b')') => {
                        depth -= 1;
                        i += 1;
                    }
                    Some(b' ' | b'\t' | b'\n' | b'\r') => break,
                    Some(c) if c.is_ascii_control() => return Err(()),
                    Some(_) => i += 1,
                }
            }
        }
    }
    skip_ws(&mut i);
    match s.get(i) {
        None => Ok(None),
        Some(b')') => Ok(Some(i + 1)),
        Some(&q @ (b'"' | b'\'' | b'(')) => {
            let close = if q == b'(' { b')' } else { q };
            i += 1;
            loop {
                match s.get(i) {
                    None => return Ok(None),
                    Some(b'\\') => i += 2,
                    Some(&c) if c == close => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            skip_ws(&mut i);
            match s.get(i) {
                None => Ok(None),
                Some(b')') => Ok(Some(i + 1)),
                Some(_) => Err(()),
            }
        }
        Some(_) => Err(()),
    }
}

/// Spec 6.5 and 6.6: is `s` (starting with `<`, maybe unfinished) an autolink or
/// raw HTML? `Ok(Some(end))`: complete; `Ok(None)`: may still become one;
/// `Err(())`: cannot (the `<` is text).
fn angle(s: &[u8]) -> Result<Option<usize>, ()> {
    let found = [html_tag(s), html_other(s), autolink(s)];
    if let Some(end) = found.iter().find_map(|r| r.ok().flatten()) {
        return Ok(Some(end));
    }
    // Raw HTML may span lines, but a text that long is held no longer.
    if found.iter().any(|r| r.is_ok()) && s.len() <= 256 {
        return Ok(None);
    }
    Err(())
}

/// Spec 6.6: an open tag (name, attributes with optional values, `/>`) or a
/// closing tag at the start of `s`, as [`angle`] answers.
pub(crate) fn html_tag(s: &[u8]) -> Result<Option<usize>, ()> {
    let at = |i: usize| s.get(i).copied();
    let skip_ws = |i: &mut usize| {
        let from = *i;
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = at(*i) {
            *i += 1;
        }
        *i > from
    };
    let closing = at(1) == Some(b'/');
    let mut i = if closing { 2 } else { 1 };
    match at(i) {
        None => return Ok(None),
        Some(c) if c.is_ascii_alphabetic() => {}
        Some(_) => return Err(()),
    }
    while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-') {
        i += 1;
    }
    if closing {
        skip_ws(&mut i);
        return match at(i) {
            None => Ok(None),
            Some(b'>') => Ok(Some(i + 1)),
            Some(_) => Err(()),
        };
    }
    loop {
        let spaced = skip_ws(&mut i);
        match at(i) {
            None => return Ok(None),
            Some(b'>') => return Ok(Some(i + 1)),
            Some(b'/') => {
                return match at(i + 1) {
                    None => Ok(None),
                    Some(b'>') => Ok(Some(i + 2)),
                    Some(_) => Err(()),
                }
            }
            // An attribute: a name after whitespace, then maybe `= value`.
            Some(c) if spaced && (c.is_ascii_alphabetic() || c == b'_' || c == b':') => {
                while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || b"_.:-".contains(&c)) {
                    i += 1;
                }
                let name_end = i;
                skip_ws(&mut i);
                match at(i) {
                    None => return Ok(None),
                    Some(b'=') => {
                        i += 1;
                        skip_ws(&mut i);
                        match at(i) {
                            None => return Ok(None),
                            Some(q @ (b'"' | b'\'')) => match memchr::memchr(q, &s[i + 1..]) {
                                None => return Ok(None),
                                Some(k) => i += k + 2,
                            },
                            Some(_) => {
                                let from = i;
                                while at(i).is_some_and(|c| !b" \t\n\r\"'=<>`".contains(&c)) {
                                    i += 1;
                                }
                                if i == from {
                                    return Err(());
                                }
                            }
                        }
                    }
                    Some(_) => i = name_end,
                }
            }
            Some(_) => return Err(()),
        }
    }
}

/// Spec 6.6: a comment, a processing instruction, a declaration or a CDATA
/// section at the start of `s`, as [`angle`] answers.
fn html_other(s: &[u8]) -> Result<Option<usize>, ()> {
    let ends = |from: usize, end: &[u8]| match memchr::memmem::find(&s[from.min(s.len())..], end) {
        Some(k) => Ok(Some(from + k + end.len())),
        None => Ok(None),
    };
    // A text that may still grow into `start`.
    let may_become = |start: &[u8]| s.len() < start.len() && start.starts_with(s);
    if s.starts_with(b"<!--") {
        // 0.31.2: `<!-->` and `<!--->` are comments too.
        ends(2, b"-->")
    } else if s.starts_with(b"<![CDATA[") {
        ends(9, b"]]>")
    } else if s.starts_with(b"<?") {
        ends(2, b"?>")
    } else if s.starts_with(b"<!") && s.get(2).is_some_and(u8::is_ascii_alphabetic) {
        ends(2, b">")
    } else if may_become(b"<!--") || may_become(b"<![CDATA[") || s == b"<!" {
        Ok(None)
    } else {
        Err(())
    }
}

/// Spec 6.5: a URI autolink (`<scheme:...>`) or an email autolink at the start
/// of `s`, as [`angle`] answers.
fn autolink(s: &[u8]) -> Result<Option<usize>, ()> {
    let rest = &s[1..];
    let scheme = rest.iter().take_while(|c| c.is_ascii_alphanumeric() || b"+.-".contains(c)).count();
    let uri = match rest.get(scheme) {
        _ if !rest.first().is_some_and(u8::is_ascii_alphabetic) || scheme > 32 => Err(()),
        None => Ok(None),
        Some(b':') if scheme >= 2 => {
            match rest[scheme + 1..].iter().position(|&c| c == b'>' || c == b'<' || c <= b' ') {
                None => Ok(None),
                Some(k) if rest[scheme + 1 + k] == b'>' => Ok(Some(1 + scheme + 1 + k + 1)),
                Some(_) => Err(()),
            }
        }
        Some(_) => Err(()),
    };
    if uri != Err(()) {
        return uri;
    }
    let local =
        rest.iter().take_while(|c| c.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(c)).count();
    match rest.get(local) {
        None if local > 0 => Ok(None),
        Some(b'@') if local > 0 => {
            let domain = &rest[local + 1..];
            match domain.iter().position(|c| !(c.is_ascii_alphanumeric() || *c == b'.' || *c == b'-')) {
                None => Ok(None),
                Some(k) if domain[k] == b'>' && k > 0 => Ok(Some(1 + local + 1 + k + 1)),
                Some(_) => Err(()),
            }
        }
        _ => Err(()),
    }
}

/// Spec 2.5: `&name;`, `&#digits;`, `&#xhex;`. `Ok(Some(end))`, `Ok(None)` if
/// it may still become one, `Err(())` if it cannot.
fn entity(s: &[u8]) -> Result<Option<usize>, ()> {
    let mut i = 1;
    let (max, hex) = match s.get(1) {
        Some(b'#') => {
            i = 2;
            match s.get(2) {
                Some(b'x' | b'X') => {
                    i = 3;
                    (6, true)
                }
                None => return Ok(None),
                _ => (7, false),
            }
        }
        None => return Ok(None),
        Some(c) if c.is_ascii_alphabetic() => (32, false),
        _ => return Err(()),
    };
    let named = s.get(1) != Some(&b'#');
    let start = i;
    while let Some(&c) = s.get(i) {
        let ok = if named {
            c.is_ascii_alphanumeric()
        } else if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        };
        if !ok {
            break;
        }
        i += 1;
        if i - start > max {
            return Err(());
        }
    }
    match s.get(i) {
        None => Ok(None),
        Some(b';') if i > start => Ok(Some(i + 1)),
        _ => Err(()),
    }
}

/// Spec 6.1: the end of the code span opened by the backtick run of length `n`
/// ending at `from`, if a run of exactly `n` backticks closes it: `Ok(Some)`;
/// `Ok(None)` if none does yet; `Err(start)` if the run starting at `start`
/// would close it but touches the end of the text, where it may still grow.
fn code_close(s: &[u8], from: usize, n: usize) -> Result<Option<usize>, usize> {
    let mut i = from;
    while let Some(k) = memchr::memchr(b'`', &s[i..]) {
        let st = i + k;
        let len = s[st..].iter().take_while(|&&c| c == b'`').count();
        if st + len == s.len() && len <= n {
            return Err(st);
        }
        if len == n {
            return Ok(Some(st + len));
        }
        i = st + len;
    }
    Ok(None)
}

/// Labels of the link reference definitions seen so far, normalised (spec 4.7).
/// The block scanner adds them; the inline scan asks whether a label is one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Definitions(Vec<String>);

impl Definitions {
    /// Records the label of a definition; the first definition of a label wins
    /// (spec 4.7), and any one makes the label a link, so duplicates are skipped.
    pub(crate) fn insert(&mut self, label: &str) {
        let label = normalize_label(label);
        if !self.0.contains(&label) {
            self.0.push(label);
        }
    }

    fn contains(&self, label: &str) -> bool {
        let label = normalize_label(label);
        !label.is_empty() && self.0.contains(&label)
    }
}

/// Spec 4.7: labels match after Unicode case fold, with whitespace collapsed.
/// Lowercasing is the fold except for `ß`/`ẞ`, which fold to `ss`.
fn normalize_label(label: &str) -> String {
    lowercase(&label.split_whitespace().collect::<Vec<_>>().join(" ")).replace('ß', "ss")
}

/// Unicode lowercasing. In the package's wasm the platform's `toLowerCase`
/// does it (the same Unicode mapping), so the binary carries no case table:
/// 14 KB raw, 7 KB gzipped, for labels that are nearly always ASCII.
fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    #[cfg(all(target_arch = "wasm32", feature = "delta"))]
    return js_sys::JsString::from(s).to_lower_case().into();
    #[cfg(not(all(target_arch = "wasm32", feature = "delta")))]
    s.to_lowercase()
}

/// What one construct's scan function decided.
enum Step {
    /// The construct ends before this offset; scanning goes on there.
    To(usize),
    /// The construct runs to the end of the text: the scan stops.
    Stop(Tail),
}

/// The scan of one leaf's inline content: the delimiter runs and brackets seen,
/// and the construct that ended the text, if any.
struct Scan<'a> {
    s: &'a str,
    b: &'a [u8],
    defs: &'a Definitions,
    delims: Vec<Delim>,
    /// Where each matched emphasis pair opens and closes.
    pairs: Vec<(usize, usize)>,
    brackets: Vec<Bracket>,
    tail: Tail,
}

impl<'a> Scan<'a> {
    fn run(s: &'a str, defs: &'a Definitions, math: Math) -> Self {
        let mut scan = Scan {
            s,
            b: s.as_bytes(),
            defs,
            delims: Vec::new(),
            pairs: Vec::new(),
            brackets: Vec::new(),
            tail: Tail::None,
        };
        let mut i = 0;
        while i < scan.b.len() {
            let step = match scan.b[i] {
                b'\\' if math.latex() && matches!(scan.b.get(i + 1), Some(b'(' | b'[')) => scan.latex_math(i),
                b'\\' => scan.escape(i),
                b'`' => scan.code_span(i),
                b'$' if math.dollar() => scan.math(i),
                b'<' => scan.angle(i),
                b'&' => scan.entity(i),
                b'!' => scan.bang(i),
                b'[' => scan.open_bracket(i, false),
                b']' => scan.close_bracket(i),
                c @ (b'*' | b'_' | b'~') => scan.delimiter_run(i, c),
                _ => Step::To(i + 1),
            };
            match step {
                Step::To(next) => i = next,
                Step::Stop(tail) => {
                    scan.tail = tail;
                    break;
                }
            }
        }
        scan
    }

    /// Spec 2.4: a backslash before ASCII punctuation escapes it; before a line
    /// end it is a hard break. At the end we do not know yet.
    fn escape(&self, i: usize) -> Step {
        match self.b.get(i + 1) {
            None => Step::Stop(Tail::Ambiguous(i)),
            // `\` ending the last line is a hard break if the paragraph goes on,
            // and a literal backslash if it ends here (spec 6.7).
            Some(b'\n') if i + 2 == self.b.len() => Step::Stop(Tail::Ambiguous(i)),
            Some(c) if c.is_ascii_punctuation() || *c == b'\n' => Step::To(i + 2),
            Some(_) => Step::To(i + 1),
        }
    }

    /// Spec 6.1: a backtick run opens a code span that a run of the same length
    /// closes; a run at the very end may still grow.
    fn code_span(&self, i: usize) -> Step {
        let n = self.b[i..].iter().take_while(|&&c| c == b'`').count();
        if i + n == self.b.len() {
            return Step::Stop(Tail::Ambiguous(i));
        }
        match code_close(self.b, i + n, n) {
            Ok(Some(end)) => Step::To(end),
            Ok(None) => Step::Stop(Tail::Code { pos: i, n }),
            // `` `foo` `` may still become `` `foo`` ``: the span is open, and
            // its closer is held with it.
            Err(_) => Step::Stop(Tail::Code { pos: i, n }),
        }
    }

    /// pulldown-cmark math: `$` opens when not followed by whitespace and closes
    /// when not preceded by it; math cannot contain `$`.
    fn math(&self, i: usize) -> Step {
        let b = self.b;
        let n = if b.get(i + 1) == Some(&b'$') { 2 } else { 1 };
        let Some(&next) = b.get(i + n) else {
            return Step::Stop(Tail::Ambiguous(i));
        };
        if n == 1 && next.is_ascii_whitespace() {
            return Step::To(i + 1);
        }
        let body = i + n;
        if n == 1 {
            // The closer is a lone `$` (a `$$` run does not close `$`) after a
            // non-space. One after whitespace cannot close (`$HOME and $`), but a
            // later one may; a run touching the end may still grow. An amount
            // (`$5 and $10`) is math-open too until its paragraph says otherwise:
            // holding it costs lag, guessing it literal shows `$180 / 120 = 1.5$`
            // wrong.
            let mut k = body;
            while let Some(off) = memchr::memchr(b'$', &b[k..]) {
                let j = k + off;
                let run = b[j..].iter().take_while(|&&c| c == b'$').count();
                if j + run == b.len() {
                    break;
                }
                if run == 1 && !b[j - 1].is_ascii_whitespace() {
                    return Step::To(j + 1);
                }
                k = j + run;
            }
            return Step::Stop(Tail::Math { pos: i, n });
        }
        match memchr::memchr(b'$', &b[body..]).map(|k| body + k) {
            Some(j) => {
                if b.get(j + 1) == Some(&b'$') {
                    Step::To(j + 2)
                } else if j + 1 == b.len() {
                    Step::Stop(Tail::Ambiguous(i))
                } else {
                    // A lone `$` inside `$$...`: not display math.
                    Step::To(i + 2)
                }
            }
            None => Step::Stop(Tail::Math { pos: i, n }),
        }
    }

    /// LaTeX math: `\(` closes at the next `\)`, `\[` at the next `\]` (as
    /// KaTeX's and MathJax's delimiters do; content is not parsed).
    fn latex_math(&self, i: usize) -> Step {
        let close = if self.b[i + 1] == b'(' { "\\)" } else { "\\]" };
        match self.s[i + 2..].find(close) {
            Some(k) => Step::To(i + 2 + k + 2),
            None => Step::Stop(Tail::Math { pos: i, n: 2 }),
        }
    }

    /// Spec 6.5, 6.6: an autolink or raw HTML, complete, still arriving, or text.
    fn angle(&self, i: usize) -> Step {
        match angle(&self.b[i..]) {
            Ok(Some(len)) => Step::To(i + len),
            Ok(None) => Step::Stop(Tail::Ambiguous(i)),
            Err(()) => Step::To(i + 1),
        }
    }

    /// Spec 2.5: an entity or numeric character reference.
    fn entity(&self, i: usize) -> Step {
        match entity(&self.b[i..]) {
            Ok(Some(len)) => Step::To(i + len),
            Ok(None) => Step::Stop(Tail::Ambiguous(i)),
            Err(()) => Step::To(i + 1),
        }
    }

    /// Spec 6.4: `![` opens an image; a `!` at the end may still be one.
    fn bang(&mut self, i: usize) -> Step {
        match self.b.get(i + 1) {
            None => Step::Stop(Tail::Ambiguous(i)),
            Some(b'[') => self.open_bracket(i, true),
            Some(_) => Step::To(i + 1),
        }
    }

    fn open_bracket(&mut self, i: usize, image: bool) -> Step {
        self.brackets.push(Bracket { pos: i, image, active: true, bottom: self.delims.len() });
        Step::To(i + if image { 2 } else { 1 })
    }

    /// Spec 6.3: a `]` closes the innermost bracket; what follows it decides
    /// whether the bracket is an inline link, a full, collapsed or shortcut
    /// reference, or literal text.
    fn close_bracket(&mut self, i: usize) -> Step {
        let Some(br) = self.brackets.pop() else {
            return Step::To(i + 1);
        };
        if !br.active {
            return Step::To(i + 1);
        }
        let (s, b, defs) = (self.s, self.b, self.defs);
        let text_label = &s[br.pos + if br.image { 2 } else { 1 }..i];
        let after = i + 1;
        let arriving = Tail::Link { open: br.pos, close: i, image: br.image };
        let end = match b.get(after) {
            // `[x]` at the end: a link if `(` follows, else often literal text
            // (`- [x] done`), so it is held in both modes.
            None => return Step::Stop(Tail::Ambiguous(br.pos)),
            Some(b'(') => match link_tail(b, after + 1) {
                Ok(Some(end)) => Some(end),
                Ok(None) => {
                    self.close_link(br);
                    return Step::Stop(arriving);
                }
                Err(()) => defs.contains(text_label).then_some(after),
            },
            Some(b'[') => match memchr::memchr(b']', &b[after + 1..]) {
                // `[text][label` is a link only if `label` is defined, maybe by
                // a definition still to come: hidden in both modes.
                None => {
                    self.close_link(br);
                    return Step::Stop(Tail::Ambiguous(br.pos));
                }
                Some(k) => {
                    let label = &s[after + 1..after + 1 + k];
                    let label = if label.is_empty() { text_label } else { label };
                    if defs.contains(label) {
                        Some(after + 2 + k)
                    } else if defs.contains(text_label) {
                        Some(after)
                    } else if after + 2 + k == b.len() {
                        // `[text][label]` at the end: held whole, as `[text]` is, so
                        // that the display does not show `[text]` alone first.
                        return Step::Stop(Tail::Ambiguous(br.pos));
                    } else {
                        None
                    }
                }
            },
            Some(_) => defs.contains(text_label).then_some(after),
        };
        match end {
            Some(end) => {
                self.close_link(br);
                Step::To(end)
            }
            None => Step::To(i + 1),
        }
    }

    /// The text of the link or image opened by `br` is closed: emphasis inside
    /// it is matched there and what stays open is literal, and (spec 6.3)
    /// "links may not contain other links", so no outer `[` can become one (an
    /// outer `![` still can: an image may contain a link).
    fn close_link(&mut self, br: Bracket) {
        process_emphasis(&mut self.delims, br.bottom, &mut self.pairs);
        self.delims.truncate(br.bottom);
        if !br.image {
            for outer in self.brackets.iter_mut().filter(|o| !o.image) {
                outer.active = false;
            }
        }
    }

    /// Spec 6.2: a run of `*` or `_` (or GFM 6.5 `~`) and whether it may open or
    /// close emphasis, from the characters around it.
    fn delimiter_run(&mut self, i: usize, c: u8) -> Step {
        let s = self.s;
        let n = self.b[i..].iter().take_while(|&&x| x == c).count();
        if i + n == self.b.len() {
            // Whether this run opens, closes or is literal depends on the
            // character after it.
            return Step::Stop(Tail::Ambiguous(i));
        }
        let (before, after) = (char_before(s, i), char_at(s, i + n));
        let (left, right) = flanking(before, after);
        let (can_open, can_close) = match c {
            // Spec 6.2 rules 2, 3, 6, 7: `_` needs more for intraword runs.
            b'_' => {
                let punct_before = before.is_some_and(is_punct);
                let punct_after = after.is_some_and(is_punct);
                (left && (!right || punct_before), right && (!left || punct_after))
            }
            _ => (left, right),
        };
        // GFM 6.5 makes a run of three or more tildes text, but markdown-it
        // strikes through inside such runs (`~~~a~~~` is `~<s>a</s>~`). A long
        // run is therefore matched only by a run of its own length, and held
        // like any open run until then: neither renderer sees a display that
        // its final text contradicts.
        if can_open || can_close {
            self.delims.push(Delim { pos: i, ch: c, len: n, orig: n, can_open, can_close });
        }
        Step::To(i + n)
    }

    /// Matches the delimiter runs and lists what is still open, by position,
    /// with the offset where the display must stop whatever the mode (before a
    /// construct the next characters decide, or inside an arriving link).
    fn open_set(mut self) -> Open {
        process_emphasis(&mut self.delims, 0, &mut self.pairs);
        let mut open: Vec<(usize, Closer)> = Vec::new();
        for d in &self.delims {
            if d.can_open && d.len > 0 {
                open.push((d.pos, Closer::Delim(d.ch, d.len, d.orig, d.can_close)));
            }
        }
        for br in &self.brackets {
            if br.active {
                open.push((br.pos, if br.image { Closer::Hide } else { Closer::Bracket }));
            }
        }
        let mut cut = self.b.len();
        let mut first = cut;
        match self.tail {
            Tail::None => {}
            Tail::Ambiguous(p) => {
                first = p;
                cut = p;
            }
            Tail::Code { pos, n } => open.push((pos, Closer::Code(n))),
            Tail::Math { pos, n } => open.push((pos, Closer::Math(n))),
            Tail::Link { open: o, close, image } => {
                first = o;
                if image {
                    cut = o;
                } else {
                    cut = close;
                    open.push((o, Closer::Link));
                }
            }
        }
        let first = open.iter().map(|&(p, _)| p).fold(first, usize::min);
        // Each construct opens at its own position, so an unstable sort (the one
        // the binary already carries) gives the one order.
        open.sort_unstable_by_key(|&(p, _)| p);
        Open { constructs: open, first, cut, pairs: self.pairs }
    }
}

/// What is open at the end of the text.
struct Open {
    /// The open constructs, by position.
    constructs: Vec<(usize, Closer)>,
    /// Where the first open construct starts.
    first: usize,
    /// Where the display must stop in any mode.
    cut: usize,
    /// The matched emphasis pairs (opener, closer positions).
    pairs: Vec<(usize, usize)>,
}

impl Open {
    /// `cut`, moved before every emphasis opener whose closer it would cut off
    /// (`foo******bar****` cut inside the closer run would show the opener as
    /// literal text). Matched pairs nest and never cross (spec appendix: the
    /// delimiters between a pair are removed), so the outermost pair around
    /// the cut is the only one to move before: one pass, O(pairs).
    fn unsplit(&self, cut: usize) -> usize {
        self.pairs.iter().filter(|&&(o, c)| o < cut && c >= cut).map(|&(o, _)| o).fold(cut, usize::min)
    }
}

/// Analyses `s`, the inline content of a leaf block so far, which may go on.
///
/// `in_cell`: `s` is the last cell of a table row, which a `|` may still end.
pub(crate) fn analyze(s: &str, defs: &Definitions, heal_mode: bool, in_cell: bool, math: Math) -> Inline {
    let open = Scan::run(s, defs, math).open_set();
    if heal_mode {
        heal(s, &open, in_cell)
    } else {
        hold(&open)
    }
}

/// `Hold`: cut before the first thing still open.
fn hold(open: &Open) -> Inline {
    Inline { cut: open.unsplit(open.first), suffix: String::new() }
}

/// `Heal`: close what is open, innermost first, where closing it shows what the
/// final text will; cut before what cannot be closed safely.
fn heal(s: &str, open: &Open, in_cell: bool) -> Inline {
    let b = s.as_bytes();
    let mut cut = open.cut;
    let mut suffix = String::new();
    for &(pos, closer) in open.constructs.iter().rev() {
        if pos >= cut {
            continue;
        }
        let body = pos + closer.opener_len();
        // Once an inner construct is closed, the text ends with its closer: the
        // cut may no longer move into it.
        let trim = suffix.is_empty();
        if hidden_until_closed(s, pos, body, closer, in_cell) {
            cut = pos;
            suffix.clear();
            continue;
        }
        match closer {
            Closer::Code(_) => {
                // A backtick at the end of the content would merge with the closer;
                // a backslash may be half of `\|` in a table cell (GFM 4.10).
                while trim && cut > body && matches!(b[cut - 1], b'`' | b'\\') {
                    cut -= 1;
                }
            }
            Closer::Link => {}
            _ => {
                // A closer must follow a non-space to be right-flanking (spec 6.2),
                // and `$` must too (pulldown-cmark); a backslash would escape it.
                while trim && cut > body && matches!(b[cut - 1], b' ' | b'\t' | b'\n' | b'\r' | b'\\') {
                    cut -= 1;
                }
            }
        }
        let empty = match closer {
            Closer::Link => s[body..cut.max(body)].trim().is_empty(),
            // Spaces alone are all a code span shows, or lose to the padding
            // rule below once its text comes.
            Closer::Code(_) => !b[body..cut.max(body)].iter().any(|c| !matches!(c, b' ' | b'\n' | b'\r')),
            _ => cut <= body,
        };
        if empty {
            // Nothing inside yet: hide the opener instead of closing it empty.
            cut = pos;
            suffix.clear();
            continue;
        }
        match closer {
            Closer::Delim(ch, n, _, _) => {
                for _ in 0..n {
                    suffix.push(ch as char);
                }
            }
            Closer::Code(n) => {
                // A code span loses one space at each end when it has one at
                // both (spec 6.1; a line ending counts as a space), as in
                // `` `` `x` `` ``. Content that starts with a space most often
                // ends with one too: padding the close the same way keeps the
                // display free of a space the final text drops.
                let padded = |c: Option<&u8>| matches!(c, Some(b' ' | b'\n' | b'\r'));
                let content = &b[body..cut];
                if padded(content.first()) && !padded(content.last()) {
                    suffix.push(' ');
                }
                for _ in 0..n {
                    suffix.push('`');
                }
            }
            Closer::Link => suffix.push_str("]()"),
            // Hidden above.
            Closer::Bracket | Closer::Hide | Closer::Math(_) => {}
        }
    }
    if open.unsplit(cut) != cut {
        return hold(open);
    }
    Inline { cut, suffix }
}

/// Whether `Heal` hides the construct `closer` opens (at `pos`, its content
/// starting at `body`) instead of closing it: where a close would be a guess
/// that the final text often proves wrong.
fn hidden_until_closed(s: &str, pos: usize, body: usize, closer: Closer, in_cell: bool) -> bool {
    match closer {
        // An image would load a truncated URL.
        Closer::Hide => true,
        // Math and `~` are extensions that renderers disagree on (markdown-it
        // shows `$x$` and `~x~` as written, pulldown-cmark does not): a close
        // would be right for one renderer only. `~~` that never closes is also
        // common in prose (`~~ tildes`), and strikethrough rare in answers.
        Closer::Math(_) | Closer::Delim(b'~', ..) => true,
        // An open `[` is as often prose (`[1]`, `[^1]`, `[like this]`) as a link.
        Closer::Bracket => true,
        // An intraword run (`a*b`) is as often literal (`2*3`) as emphasis, and
        // an opener before punctuation (`*.js`, `*(`) more often literal than not;
        // so is one right after a closing bracket, a subscript in formulas
        // written as text (`\sigma(z)_i`, `a[k]_j`).
        Closer::Delim(_, _, _, intraword) => {
            intraword
                || s[..pos].ends_with([')', ']', '}'])
                || !s[body..].starts_with(|c: char| c.is_alphanumeric() || c == '`')
        }
        // In a table cell a `|` may end the cell before the span closes (GFM
        // 4.10: the pipe splits cells even inside code).
        Closer::Code(_) => in_cell,
        Closer::Link => false,
    }
}

#[derive(Debug, Clone, Copy)]
enum Closer {
    /// Character, count still open, length of the whole run, whether the run
    /// could also close (it is inside a word).
    Delim(u8, usize, usize, bool),
    Bracket,
    /// A link whose text is complete: cut at its `]`, then `]()`.
    Link,
    Code(usize),
    Math(usize),
    /// An image: hidden until complete, not healed (it would load a broken URL).
    Hide,
}

impl Closer {
    fn opener_len(self) -> usize {
        match self {
            // The remaining delimiters are the outer ones of the run (spec appendix,
            // "process emphasis"), so
            // the content starts after the whole run.
            Closer::Delim(_, _, orig, _) => orig,
            Closer::Bracket | Closer::Link => 1,
            Closer::Code(n) | Closer::Math(n) => n,
            Closer::Hide => 2,
        }
    }
}
