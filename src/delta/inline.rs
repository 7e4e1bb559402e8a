//! Inline analysis of the live leaf block: which constructs are still open at
//! the end of a text that may go on, where `Hold` must cut, and which closers
//! `Heal` appends.
//!
//! It follows CommonMark's inline rules closely enough to agree with a
//! conforming renderer on what is open: code spans first (spec 6.1), then
//! delimiter runs and their flanking (6.2) matched by the "process emphasis"
//! procedure of the spec's appendix, link brackets (6.3), autolinks (6.5), raw
//! HTML (6.6), entities (2.5), escapes (2.4), GFM strikethrough and
//! pulldown-cmark's `$` math.

use super::markdown::normalize_label as normalize;

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

/// Spec 6.3 "process emphasis", over `delims[bottom..]`. Matched delimiters lose
/// their length; what is left with `can_open` is still open.
fn process_emphasis(delims: &mut [Delim], bottom: usize) {
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
/// raw HTML? `Ok(Some(end))`: complete; `Ok(None)`: may still become one.
fn angle(s: &[u8]) -> Result<Option<usize>, ()> {
    let rest = &s[1..];
    let Some(&first) = rest.first() else {
        return Ok(None);
    };
    let plausible = first.is_ascii_alphabetic() || first == b'/' || first == b'!' || first == b'?';
    if !plausible {
        return Err(());
    }
    match memchr::memchr(b'>', s) {
        Some(k) => {
            let inner = &s[1..k];
            if inner.contains(&b'<') {
                return Err(());
            }
            Ok(Some(k + 1))
        }
        // Raw HTML may span lines, but an autolink may not; either way wait.
        None if s.len() - 1 > 256 => Err(()),
        None => Ok(None),
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
/// ending at `from`, if a run of exactly `n` backticks closes it.
fn code_close(s: &[u8], from: usize, n: usize) -> Option<usize> {
    let mut i = from;
    while let Some(k) = memchr::memchr(b'`', &s[i..]) {
        let st = i + k;
        let len = s[st..].iter().take_while(|&&c| c == b'`').count();
        if len == n {
            return Some(st + len);
        }
        i = st + len;
    }
    None
}

/// Analyses `s`, the inline content of a leaf block so far, which may go on.
pub(crate) fn analyze(s: &str, defs: &[String], heal: bool) -> Inline {
    let b = s.as_bytes();
    let mut delims: Vec<Delim> = Vec::new();
    let mut brackets: Vec<Bracket> = Vec::new();
    let mut tail = Tail::None;
    let mut i = 0;
    let defined = |label: &str| {
        let n = normalize(label);
        !n.is_empty() && defs.contains(&n)
    };
    while i < b.len() {
        match b[i] {
            b'\\' => {
                // Spec 2.4: a backslash before ASCII punctuation escapes it; before
                // a line end it is a hard break. At the end we do not know yet.
                match b.get(i + 1) {
                    None => {
                        tail = Tail::Ambiguous(i);
                        break;
                    }
                    Some(c) if c.is_ascii_punctuation() || *c == b'\n' => i += 2,
                    Some(_) => i += 1,
                }
            }
            b'`' => {
                let n = b[i..].iter().take_while(|&&c| c == b'`').count();
                if i + n == b.len() {
                    tail = Tail::Ambiguous(i);
                    break;
                }
                match code_close(b, i + n, n) {
                    Some(end) => i = end,
                    None => {
                        tail = Tail::Code { pos: i, n };
                        break;
                    }
                }
            }
            b'$' => {
                // pulldown-cmark math: `$` opens when not followed by whitespace and
                // closes when not preceded by it; math cannot contain `$`.
                let n = if b.get(i + 1) == Some(&b'$') { 2 } else { 1 };
                let Some(&next) = b.get(i + n) else {
                    tail = Tail::Ambiguous(i);
                    break;
                };
                if n == 1 && next.is_ascii_whitespace() {
                    i += 1;
                    continue;
                }
                let body = i + n;
                let close = memchr::memchr(b'$', &b[body..]).map(|k| body + k);
                match close {
                    Some(j) if n == 2 => {
                        if b.get(j + 1) == Some(&b'$') {
                            i = j + 2;
                        } else if j + 1 == b.len() {
                            tail = Tail::Ambiguous(i);
                            break;
                        } else {
                            // A lone `$` inside `$$...`: not display math.
                            i += 2;
                        }
                    }
                    Some(j) => {
                        let closes = !b[j - 1].is_ascii_whitespace();
                        i = if closes { j + 1 } else { i + 1 };
                    }
                    None => {
                        // `$5 and more`: an amount, not math. Heuristic: a `$` followed
                        // by a digit whose text so far has a space stays literal, and
                        // one without a space yet is held in both modes.
                        let rest = &b[body..];
                        if n == 1 && next.is_ascii_digit() {
                            if rest.contains(&b' ') {
                                i += 1;
                                continue;
                            }
                            tail = Tail::Ambiguous(i);
                            break;
                        }
                        tail = Tail::Math { pos: i, n };
                        break;
                    }
                }
            }
            b'<' => match angle(&b[i..]) {
                Ok(Some(len)) => i += len,
                Ok(None) => {
                    tail = Tail::Ambiguous(i);
                    break;
                }
                Err(()) => i += 1,
            },
            b'&' => match entity(&b[i..]) {
                Ok(Some(len)) => i += len,
                Ok(None) => {
                    tail = Tail::Ambiguous(i);
                    break;
                }
                Err(()) => i += 1,
            },
            b'!' => match b.get(i + 1) {
                None => {
                    tail = Tail::Ambiguous(i);
                    break;
                }
                Some(b'[') => {
                    brackets.push(Bracket { pos: i, image: true, active: true, bottom: delims.len() });
                    i += 2;
                }
                Some(_) => i += 1,
            },
            b'[' => {
                brackets.push(Bracket { pos: i, image: false, active: true, bottom: delims.len() });
                i += 1;
            }
            b']' => {
                let Some(br) = brackets.pop() else {
                    i += 1;
                    continue;
                };
                if !br.active {
                    i += 1;
                    continue;
                }
                let text_label = &s[br.pos + if br.image { 2 } else { 1 }..i];
                // Spec 6.3: what follows `]` decides: an inline link, a full or
                // collapsed reference, a shortcut reference, or literal text.
                let after = i + 1;
                let link_end: Option<usize> = match b.get(after) {
                    // `[x]` at the end: a link if `(` follows, else often literal text
                    // (`- [x] done`), so it is held in both modes.
                    None => {
                        tail = Tail::Ambiguous(br.pos);
                        break;
                    }
                    Some(b'(') => match link_tail(b, after + 1) {
                        Ok(Some(end)) => Some(end),
                        Ok(None) => {
                            tail = Tail::Link { open: br.pos, close: i, image: br.image };
                            None
                        }
                        Err(()) => defined(text_label).then_some(after),
                    },
                    Some(b'[') => match memchr::memchr(b']', &b[after + 1..]) {
                        None => {
                            tail = Tail::Link { open: br.pos, close: i, image: br.image };
                            None
                        }
                        Some(k) => {
                            let label = &s[after + 1..after + 1 + k];
                            let label = if label.is_empty() { text_label } else { label };
                            if defined(label) {
                                Some(after + 2 + k)
                            } else if defined(text_label) {
                                Some(after)
                            } else {
                                None
                            }
                        }
                    },
                    Some(_) => defined(text_label).then_some(after),
                };
                if let Tail::Link { .. } = tail {
                    // The link text is closed: what is open inside it stays literal.
                    process_emphasis(&mut delims, br.bottom);
                    delims.truncate(br.bottom);
                    if !br.image {
                        for o in &mut brackets {
                            o.active = false;
                        }
                    }
                    break;
                }
                match link_end {
                    Some(end) => {
                        process_emphasis(&mut delims, br.bottom);
                        delims.truncate(br.bottom);
                        // Spec 6.3: "links may not contain other links".
                        if !br.image {
                            for o in &mut brackets {
                                o.active = false;
                            }
                        }
                        i = end;
                    }
                    None => i += 1,
                }
            }
            c @ (b'*' | b'_' | b'~') => {
                let n = b[i..].iter().take_while(|&&x| x == c).count();
                if i + n == b.len() {
                    // Whether this run opens, closes or is literal depends on the
                    // character after it.
                    tail = Tail::Ambiguous(i);
                    break;
                }
                let (left, right) = flanking(char_before(s, i), char_at(s, i + n));
                let (can_open, can_close) = match c {
                    // Spec 6.2 rules 2, 3, 6, 7: `_` needs more for intraword runs.
                    b'_' => {
                        let before = char_before(s, i).is_some_and(is_punct);
                        let after = char_at(s, i + n).is_some_and(is_punct);
                        (left && (!right || before), right && (!left || after))
                    }
                    _ => (left, right),
                };
                // GFM: strikethrough is one or two tildes; longer runs are text.
                let valid = c != b'~' || n <= 2;
                if valid && (can_open || can_close) {
                    delims.push(Delim { pos: i, ch: c, len: n, orig: n, can_open, can_close });
                }
                i += n;
            }
            _ => i += 1,
        }
    }
    process_emphasis(&mut delims, 0);

    // Hold: cut at the first thing still open.
    let mut hold = b.len();
    let mut open: Vec<(usize, Closer)> = Vec::new();
    for d in &delims {
        if d.can_open && d.len > 0 {
            hold = hold.min(d.pos);
            open.push((d.pos, Closer::Delim(d.ch, d.len, d.orig, d.can_close)));
        }
    }
    for br in &brackets {
        if br.active {
            hold = hold.min(br.pos);
            open.push((br.pos, if br.image { Closer::Hide } else { Closer::Bracket }));
        }
    }
    let mut cut = b.len();
    match tail {
        Tail::None => {}
        Tail::Ambiguous(p) => {
            hold = hold.min(p);
            cut = p;
        }
        Tail::Code { pos, n } => {
            hold = hold.min(pos);
            open.push((pos, Closer::Code(n)));
        }
        Tail::Math { pos, n } => {
            hold = hold.min(pos);
            open.push((pos, Closer::Math(n)));
        }
        Tail::Link { open: o, close, image } => {
            hold = hold.min(o);
            if image {
                cut = o;
            } else {
                cut = close;
                open.push((o, Closer::Link));
            }
        }
    }
    if !heal {
        return Inline { cut: hold, suffix: String::new() };
    }
    open.sort_by_key(|&(p, _)| p);
    let mut suffix = String::new();
    for &(pos, closer) in open.iter().rev() {
        if pos >= cut {
            continue;
        }
        let body = pos + closer.opener_len();
        match closer {
            // An image is not healed: it would load a truncated URL. An intraword
            // run (`a*b`) is as often literal (`2*3`) as emphasis: hold it instead.
            // Math and a single `~` are extensions that renderers disagree on
            // (markdown-it shows `$x$` and `~x~` as written, pulldown-cmark does
            // not): closing them would be right for one renderer only, so they
            // are hidden until their closer arrives.
            Closer::Hide | Closer::Math(_) | Closer::Delim(_, _, _, true) | Closer::Delim(b'~', _, 1, _) => {
                cut = pos;
                suffix.clear();
                continue;
            }
            Closer::Code(_) => {
                // A backtick at the end of the content would merge with the closer.
                while cut > body && b[cut - 1] == b'`' {
                    cut -= 1;
                }
            }
            Closer::Link => {}
            _ => {
                // A closer must follow a non-space to be right-flanking (spec 6.2),
                // and `$` must too (pulldown-cmark); a backslash would escape it.
                while cut > body && matches!(b[cut - 1], b' ' | b'\t' | b'\n' | b'\r' | b'\\') {
                    cut -= 1;
                }
            }
        }
        let empty = match closer {
            // `[x` may be a task-list box (`[x] done`, literal without that
            // extension) as well as a link: wait for a longer text.
            Closer::Bracket => s[body..cut.max(body)].trim().chars().nth(1).is_none(),
            Closer::Link => s[body..cut.max(body)].trim().is_empty(),
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
                for _ in 0..n {
                    suffix.push('`');
                }
            }
            Closer::Bracket | Closer::Link => suffix.push_str("]()"),
            Closer::Hide | Closer::Math(_) => {}
        }
    }
    Inline { cut, suffix }
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
            // The remaining delimiters are the outer ones of the run (spec 6.3), so
            // the content starts after the whole run.
            Closer::Delim(_, _, orig, _) => orig,
            Closer::Bracket | Closer::Link => 1,
            Closer::Code(n) | Closer::Math(n) => n,
            Closer::Hide => 2,
        }
    }
}
