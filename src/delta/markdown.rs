//! Markdown safety: how much of a growing CommonMark + GFM text can be shown
//! now so that it renders as the final text will (`Hold`), or how to close what
//! is open so that it does (`Heal`).
//!
//! Section numbers ("spec 4.5") are those of CommonMark 0.31.2
//! (<https://spec.commonmark.org/0.31.2/>); "GFM" sections are those of the
//! GitHub Flavored Markdown spec 0.29-gfm (<https://github.github.com/gfm/>).
//!
//! Two levels, as in CommonMark's own parsing strategy (spec, "Appendix: A
//! parsing strategy"):
//!
//! * a block scanner reads each *complete* line once and keeps a small state
//!   (open fence, current leaf block, list context, link definitions). A blank
//!   line followed by a new top-level block makes everything before it final:
//!   that is `stable`;
//! * at each flush, the unfinished last line and the inline content of the
//!   current leaf block (one paragraph, heading or table cell) are analysed
//!   again. That is the only work that grows with the text, and it is bounded
//!   by the live leaf, not the answer.

use super::inline::{self, Definitions};
use super::Math;

/// What a flush may show of the text so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct View {
    /// Everything before this byte offset is final.
    pub(crate) stable: usize,
    /// The display is `text[..cut]` ...
    pub(crate) cut: usize,
    /// ... followed by these closers (always empty in `Hold` mode).
    pub(crate) suffix: String,
    /// The info string (byte range in the text) of the code fence the display
    /// ends inside, if it does: a highlighter keeps that block open.
    pub(crate) code_fence: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fence {
    ch: u8,
    len: usize,
    /// The column of a fence inside a list item: a non-blank line indented
    /// less ends the item, and the fence with it (spec 5.2). 0 outside lists.
    indent: usize,
    /// A fence inside a block quote ends at a line without `>` (spec 5.1: a
    /// fence is not a paragraph, so no lazy continuation).
    quoted: bool,
    /// Its info string, trimmed (spec 4.5): a byte range of the text once the
    /// block scanner has read its line; of the line before that.
    info: (usize, usize),
}

/// Does `line`, read while fence `f` is open, end the container of `f` (and so
/// the fence)?
fn leaves_container(line: &str, f: Fence) -> bool {
    if is_blank(line) {
        return false;
    }
    let (n, cols) = leading_spaces(line.as_bytes());
    (f.indent > 0 && cols < f.indent) || (f.quoted && !line[n..].starts_with('>'))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leaf {
    None,
    /// A paragraph: where its first line starts, where its inline content
    /// starts, and where its last complete line starts.
    Para {
        line: usize,
        content: usize,
        last_line: usize,
        lines: u32,
        quoted: bool,
    },
    Table,
    /// A run of link reference definitions: where the run starts, and where
    /// the `[` of its last definition is. The next line may still continue it
    /// (a destination or a title on its own line, or the rest of a title).
    Definition {
        run: usize,
        this: usize,
    },
    /// An HTML block of kind 6 or 7: it ends at a blank line.
    Html,
    IndentedCode,
}

/// The block scanner's state after the last complete line.
#[derive(Debug, Clone)]
struct Block {
    fence: Option<Fence>,
    /// Inside an HTML block of kind 1–5, which ends at a line containing this.
    html_end: Option<&'static str>,
    leaf: Leaf,
    prev_blank: bool,
    list_open: bool,
}

/// The incremental analyser. Feed it the text so far at each flush.
#[derive(Debug, Clone)]
pub(crate) struct Markdown {
    heal: bool,
    math: Math,
    /// Offset of the first line the block scanner has not read.
    scanned: usize,
    stable: usize,
    block: Block,
    /// The link reference definitions seen so far.
    defs: Definitions,
}

/// What the start of a line says about its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Fence(Fence),
    Atx,
    ThematicBreak,
    /// `===` or `---` only: a setext underline after a paragraph.
    Setext,
    /// An HTML block start, with the end marker of kinds 1–5.
    Html(Option<&'static str>),
    /// `|`, `-`, `:` and spaces only, with at least one `-`.
    TableDelimiter,
    /// A link reference definition `[label]: ...`.
    Definition,
    Text,
}

#[derive(Debug, Clone, Copy)]
struct LineInfo {
    /// Byte offset in the line where the content starts, after container markers.
    content: usize,
    /// Columns of indentation before the content.
    indent: usize,
    quoted: bool,
    item: bool,
    kind: Kind,
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| b == b' ' || b == b'\t' || b == b'\r')
}

fn leading_spaces(s: &[u8]) -> (usize, usize) {
    let mut cols = 0;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b' ' => cols += 1,
            // Spec 2.2: tabs advance to the next multiple of 4 columns.
            b'\t' => cols += 4 - cols % 4,
            _ => break,
        }
        i += 1;
    }
    (i, cols)
}

/// Spec 4.1: three or more matching `-`, `_` or `*` with only spaces between.
fn is_thematic_break(s: &str) -> bool {
    let mut ch = None;
    let mut n = 0;
    for b in s.bytes() {
        match b {
            b' ' | b'\t' | b'\r' => {}
            b'-' | b'_' | b'*' if ch.is_none() || ch == Some(b) => {
                ch = Some(b);
                n += 1;
            }
            _ => return false,
        }
    }
    n >= 3
}

/// Spec 4.5: a run of at least three backticks or tildes; a backtick fence's
/// info string may not contain a backtick.
fn fence_open(s: &str) -> Option<Fence> {
    let b = s.as_bytes();
    let ch = *b.first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = b.iter().take_while(|&&c| c == ch).count();
    if len < 3 || (ch == b'`' && b[len..].contains(&b'`')) {
        return None;
    }
    let rest = &s[len..];
    let start = len + (rest.len() - rest.trim_start().len());
    let end = len + rest.trim_end().len();
    Some(Fence { ch, len, indent: 0, quoted: false, info: (start, end.max(start)) })
}

/// Spec 4.5: "The closing code fence ... must be at least as long as the
/// opening fence", and may be followed only by spaces.
fn fence_closes(s: &str, f: Fence) -> bool {
    let t = s.trim_start_matches([' ', '\t', '>']);
    let len = t.bytes().take_while(|&c| c == f.ch).count();
    len >= f.len && is_blank(&t[len..])
}

/// Could `s` still grow into a closing fence?
fn may_close_fence(s: &str, f: Fence) -> bool {
    let t = s.trim_start_matches([' ', '\t', '>']);
    let len = t.bytes().take_while(|&c| c == f.ch).count();
    len == t.len() || (len >= f.len && is_blank(&t[len..]))
}

/// Spec 4.6, kind 6: the tag names that start an HTML block on their own.
const BLOCK_TAGS: [&str; 62] = [
    "address",
    "article",
    "aside",
    "base",
    "basefont",
    "blockquote",
    "body",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "iframe",
    "legend",
    "li",
    "link",
    "main",
    "menu",
    "menuitem",
    "nav",
    "noframes",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "search",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
];

/// Spec 4.6: the start conditions of HTML blocks for a complete line: kinds 1–5
/// with their end marker, 6 and 7 (`Some(None)`, they end at a blank line).
/// Kind 7 cannot interrupt a paragraph.
fn html_start(s: &str, in_para: bool) -> Option<Option<&'static str>> {
    let rest = s.strip_prefix('<')?;
    let lower: String = rest.chars().take(12).collect::<String>().to_ascii_lowercase();
    for (tag, end) in
        [("script", "</script>"), ("pre", "</pre>"), ("style", "</style>"), ("textarea", "</textarea>")]
    {
        if let Some(after) = lower.strip_prefix(tag) {
            if after.is_empty() || after.starts_with([' ', '>', '\t']) {
                return Some(Some(end));
            }
        }
    }
    if lower.starts_with("!--") {
        return Some(Some("-->"));
    }
    if lower.starts_with('?') {
        return Some(Some("?>"));
    }
    if lower.starts_with("![cdata[") {
        return Some(Some("]]>"));
    }
    if lower.starts_with('!') && lower[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some(Some(">"));
    }
    let name = lower.strip_prefix('/').unwrap_or(&lower);
    let name_len = name.bytes().take_while(|c| c.is_ascii_alphanumeric()).count();
    let after = &name.as_bytes()[name_len..];
    let kind6 = BLOCK_TAGS.contains(&&name[..name_len])
        && (after.is_empty() || matches!(after[0], b' ' | b'\t' | b'\r' | b'>') || after.starts_with(b"/>"));
    if kind6 {
        return Some(None);
    }
    // Kind 7: "a complete open tag or closing tag ... followed only by
    // whitespace or the end of the line".
    let Ok(Some(tag)) = inline::html_tag(s.as_bytes()) else {
        return None;
    };
    (!in_para && is_blank(&s[tag..])).then_some(None)
}

/// How far a link label at the start of a text has got (spec 6.3: it ends at
/// the first `]` that is not backslash-escaped, holds no unescaped `[` and at
/// most 999 characters, and may span lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    /// No `]` yet: the label may still close.
    Open,
    /// Closed by the `]` at this offset.
    Closed(usize),
    /// Not a label.
    Invalid,
}

fn scan_label(s: &str) -> Label {
    const MAX_CHARS: usize = 999;
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return Label::Invalid;
    }
    let (mut chars, mut escaped) = (0, false);
    for (i, &c) in b.iter().enumerate().skip(1) {
        if !escaped {
            match c {
                b'\\' => escaped = true,
                b'[' => return Label::Invalid,
                b']' => return Label::Closed(i),
                _ => {}
            }
        } else {
            escaped = false;
        }
        // A UTF-8 continuation byte is not a character of its own.
        chars += usize::from(c & 0xC0 != 0x80);
        if chars > MAX_CHARS {
            return Label::Invalid;
        }
    }
    Label::Open
}

/// Spec 4.7: `[label]:` opens a link reference definition. Returns the label.
fn definition_label(s: &str) -> Option<&str> {
    match scan_label(s) {
        Label::Closed(end) if s[end + 1..].starts_with(':') && !s[1..end].trim().is_empty() => {
            Some(&s[1..end])
        }
        _ => None,
    }
}

/// Spec 4.7: whether `line` may still belong to the link reference definition
/// `def` (from its `[` to the start of `line`): a destination or a title on a
/// line of its own, or the rest of a title.
fn in_definition(def: &str, line: &str) -> bool {
    line.starts_with([' ', '\t', '"', '\'', '(', '<']) || definition_continues(def)
}

/// Spec 4.7: whether a link reference definition (`def`, from its `[` to the
/// end of its last complete line) goes on to the next line, because its
/// destination has not come yet or its title is open.
fn definition_continues(def: &str) -> bool {
    // A title longer than this is shown as the paragraph it looks like while it
    // streams, so that each flush reads a bounded stretch.
    const MAX_SCAN: usize = 4096;
    if def.len() > MAX_SCAN {
        return false;
    }
    let b = def.as_bytes();
    let Label::Closed(end) = scan_label(def) else {
        return false;
    };
    // Spaces and tabs, with at most one line ending among them.
    let skip_space = |mut i: usize| {
        let mut ended = false;
        while let Some(&c) = b.get(i) {
            match c {
                b' ' | b'\t' | b'\r' => {}
                b'\n' if !ended => ended = true,
                _ => break,
            }
            i += 1;
        }
        i
    };
    let mut i = skip_space(end + 2);
    if i >= b.len() {
        return true;
    }
    if b[i] == b'<' {
        match memchr::memchr(b'>', &b[i..]) {
            Some(k) => i += k + 1,
            None => return false,
        }
    } else {
        while b.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
            i += 1;
        }
    }
    let title = skip_space(i);
    let close = match b.get(title) {
        Some(b'"') => b'"',
        Some(b'\'') => b'\'',
        Some(b'(') => b')',
        _ => return false,
    };
    if title == i {
        // A title must be separated from the destination.
        return false;
    }
    let mut k = title + 1;
    while let Some(&c) = b.get(k) {
        if c == close {
            return false;
        }
        k += if c == b'\\' { 2 } else { 1 };
    }
    true
}

/// GFM tables: the cells of a row, not counting outer pipes.
fn cell_count(s: &str) -> usize {
    let t = s.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    let b = t.as_bytes();
    let mut n = 1;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'|' => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

fn classify(line: &str, in_para: bool, list_open: bool) -> LineInfo {
    let b = line.as_bytes();
    let mut i = 0;
    let mut quoted = false;
    let mut item = false;
    let mut indent;
    loop {
        let (n, cols) = leading_spaces(&b[i..]);
        indent = cols;
        let j = i + n;
        // Spec 5.1: a block quote marker is `>` after at most 3 spaces of indentation.
        if cols <= 3 && b.get(j) == Some(&b'>') {
            quoted = true;
            i = j + 1;
            if b.get(i) == Some(&b' ') {
                i += 1;
            }
            continue;
        }
        // Nested list items are indented by the parent's content width, so allow
        // any indentation for a marker while a list is open.
        if (cols <= 3 || list_open) && !is_thematic_break(&line[j..]) {
            if let Some((marker_end, ordered_start)) = list_marker(&b[j..]) {
                let after = &line[j + marker_end..];
                let empty = is_blank(after);
                // Spec 5.2: "In order for a sequence of lines to constitute a list
                // item, ... when the first list item in a list interrupts a
                // paragraph ... [it] must not begin with a blank line", and an
                // ordered one must start with 1.
                let interrupts = !empty && ordered_start.is_none_or(|n| n == 1);
                if !in_para || item || quoted || interrupts {
                    item = true;
                    i = j + marker_end;
                    if b.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    continue;
                }
            }
        }
        i = j;
        break;
    }
    let content = &line[i..];
    let kind = if is_blank(content) {
        Kind::Blank
    } else if let Some(f) = fence_open(content).filter(|_| indent <= 3 || list_open) {
        // Spec 4.5: a fence is indented at most 3 spaces (4 make indented code).
        // In a list the indentation counts from the item's content: allowed there.
        Kind::Fence(f)
    } else if is_atx(content) {
        Kind::Atx
    } else if in_para
        && !item
        && (content.trim_end().bytes().all(|c| c == b'=') || content.trim_end().bytes().all(|c| c == b'-'))
    {
        // Spec 4.3: a setext underline takes precedence over a thematic break.
        Kind::Setext
    } else if is_thematic_break(content) {
        Kind::ThematicBreak
    } else if let Some(end) = html_start(content, in_para) {
        Kind::Html(end)
    } else if content.contains('-')
        && content.bytes().all(|c| matches!(c, b'|' | b'-' | b':' | b' ' | b'\t' | b'\r'))
    {
        Kind::TableDelimiter
    } else if !in_para && definition_label(content).is_some() {
        Kind::Definition
    } else {
        Kind::Text
    };
    LineInfo { content: i, indent, quoted, item, kind }
}

/// Spec 4.2: one to six `#` followed by a space, a tab or the end of the line.
fn is_atx(s: &str) -> bool {
    let n = s.bytes().take_while(|&c| c == b'#').count();
    (1..=6).contains(&n) && matches!(s.as_bytes().get(n), None | Some(b' ' | b'\t' | b'\r'))
}

/// Spec 5.2: a bullet `-`, `+`, `*` or an ordered `1.`/`1)` (up to nine digits),
/// followed by a space, a tab or the end of the line. Returns the marker's
/// length and the start number of an ordered one.
fn list_marker(b: &[u8]) -> Option<(usize, Option<u64>)> {
    let (len, start) = match b.first()? {
        b'-' | b'+' | b'*' => (1, None),
        b'0'..=b'9' => {
            let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
            if d > 9 || !matches!(b.get(d), Some(b'.' | b')')) {
                return None;
            }
            let n = std::str::from_utf8(&b[..d]).ok()?.parse().ok()?;
            (d + 1, Some(n))
        }
        _ => return None,
    };
    matches!(b.get(len), None | Some(b' ' | b'\t' | b'\r')).then_some((len, start))
}

/// Could this partial line still turn into block syntax (a list marker, a
/// heading, a fence, a setext underline, a thematic break, a table delimiter
/// row, a block quote, math)? Then it is held until it says what it is.
fn is_marker_only(s: &str) -> bool {
    s.bytes().all(|c| {
        matches!(
            c,
            b' ' | b'\t'
                | b'>'
                | b'-'
                | b'*'
                | b'+'
                | b'_'
                | b'='
                | b'#'
                | b'.'
                | b')'
                | b'`'
                | b'~'
                | b'|'
                | b':'
                | b'$'
                | b'0'..=b'9'
        )
    })
}

impl Markdown {
    /// The analyser of `mode` (none for [`super::Markdown::Off`]).
    pub(crate) fn for_mode(mode: super::Markdown, math: Math) -> Option<Self> {
        match mode {
            super::Markdown::Off => None,
            super::Markdown::Hold => Some(Markdown::new(false, math)),
            super::Markdown::Heal => Some(Markdown::new(true, math)),
        }
    }

    /// A new analyser; `heal` selects `Heal` over `Hold`.
    pub(crate) fn new(heal: bool, math: Math) -> Self {
        Markdown {
            heal,
            math,
            scanned: 0,
            stable: 0,
            block: Block {
                fence: None,
                html_end: None,
                leaf: Leaf::None,
                prev_blank: true,
                list_open: false,
            },
            defs: Definitions::default(),
        }
    }

    /// Reads the complete lines of `text` not read yet. `text` must extend the
    /// text of the previous call.
    fn scan_lines(&mut self, text: &str) {
        while let Some(nl) = memchr::memchr(b'\n', &text.as_bytes()[self.scanned..]) {
            let start = self.scanned;
            let end = start + nl;
            self.scanned = end + 1;
            self.line(text, start, end);
        }
    }

    fn line(&mut self, text: &str, start: usize, end: usize) {
        let line = &text[start..end];
        let st = &mut self.block;
        if let Some(f) = st.fence {
            if leaves_container(line, f) {
                st.fence = None;
            } else {
                if fence_closes(line, f) {
                    st.fence = None;
                }
                st.prev_blank = false;
                return;
            }
        }
        if let Leaf::Definition { this, .. } = st.leaf {
            // Spec 4.7: a destination or a title on the lines after the label.
            if !is_blank(line) && in_definition(&text[this..start], line) {
                st.prev_blank = false;
                return;
            }
        }
        if let Some(marker) = st.html_end {
            if line.contains(marker) {
                st.html_end = None;
            }
            st.prev_blank = false;
            return;
        }
        let in_para = matches!(st.leaf, Leaf::Para { .. });
        let info = classify(line, in_para, st.list_open);
        if info.kind == Kind::Blank && !info.quoted && !info.item {
            if st.leaf != Leaf::IndentedCode {
                st.leaf = Leaf::None;
            }
            st.prev_blank = true;
            return;
        }
        // A blank line, then a line starting in column 0 that does not continue
        // an open list: every block before it is closed (spec 5.2, 5.3: a list
        // ends at a line that is neither an item nor indented continuation), so
        // it can never render differently.
        let col0 = line.as_bytes().first().is_some_and(|&c| c != b' ' && c != b'\t');
        if st.prev_blank && col0 && !(st.list_open && info.item) {
            self.stable = start;
            st.list_open = false;
            if st.leaf == Leaf::IndentedCode {
                st.leaf = Leaf::None;
            }
        }
        st.prev_blank = false;
        if info.item {
            st.list_open = true;
        }
        let new_container = info.item || (info.quoted && !matches!(st.leaf, Leaf::Para { quoted: true, .. }));
        // Spec 4.6, kinds 6 and 7: the block runs to a blank line, whatever its
        // lines look like (a fence or a heading there is HTML text).
        if st.leaf == Leaf::Html && !new_container {
            return;
        }
        match info.kind {
            Kind::Blank => st.leaf = Leaf::None,
            Kind::Fence(f) => {
                let in_list = info.item || st.list_open;
                let at = start + info.content;
                st.fence = Some(Fence {
                    indent: if in_list { info.content } else { 0 },
                    quoted: info.quoted,
                    info: (at + f.info.0, at + f.info.1),
                    ..f
                });
                st.leaf = Leaf::None;
            }
            Kind::Atx | Kind::ThematicBreak | Kind::Setext => st.leaf = Leaf::None,
            Kind::Html(Some(marker)) => {
                if !line[info.content..].contains(marker) {
                    st.html_end = Some(marker);
                }
                st.leaf = Leaf::None;
            }
            Kind::Html(None) => st.leaf = Leaf::Html,
            Kind::Definition => {
                if let Some(label) = definition_label(&line[info.content..]) {
                    self.defs.insert(label);
                }
                // A run of definitions is held as one (see `live`).
                let this = start + info.content;
                st.leaf = match st.leaf {
                    Leaf::Definition { run, .. } => Leaf::Definition { run, this },
                    _ => Leaf::Definition { run: start, this },
                };
            }
            Kind::TableDelimiter | Kind::Text => {
                let content = start + info.content;
                match st.leaf {
                    // GFM 4.10: "The delimiter row consists of cells ..." and "The
                    // header row must match the delimiter row in the number of cells."
                    Leaf::Para { last_line, .. }
                        if info.kind == Kind::TableDelimiter
                            && !new_container
                            && text[last_line..start].contains('|')
                            && cell_count(&text[last_line..start]) == cell_count(&line[info.content..]) =>
                    {
                        st.leaf = Leaf::Table
                    }
                    Leaf::Table if !new_container => {}
                    Leaf::Html if !new_container => {}
                    Leaf::IndentedCode if info.indent >= 4 => {}
                    Leaf::Para { line, content, lines, quoted, .. } if !new_container => {
                        // Spec 4.7: a label that spans lines, closed on this one by `]:`,
                        // makes the paragraph so far a definition.
                        let so_far = &text[content..end];
                        if let Some(label) = definition_label(so_far) {
                            self.defs.insert(label);
                            st.leaf = Leaf::Definition { run: line, this: content };
                        } else {
                            st.leaf =
                                Leaf::Para { line, content, last_line: start, lines: lines + 1, quoted };
                        }
                    }
                    _ if info.indent >= 4 && !st.list_open && !info.quoted => {
                        // Spec 4.4: an indented chunk that does not continue a paragraph.
                        st.leaf = Leaf::IndentedCode
                    }
                    _ => {
                        st.leaf = Leaf::Para {
                            line: start,
                            content,
                            last_line: start,
                            lines: 1,
                            quoted: info.quoted,
                        }
                    }
                }
            }
        }
    }

    /// The view of `text` (the whole text so far) while more may follow.
    pub(crate) fn view(&mut self, text: &str) -> View {
        self.scan_lines(text);
        let ls = self.scanned;
        let end = text.len();
        let partial = &text[ls..];
        let st = &self.block;
        // The same boundary as in `line`, as soon as the first character of the
        // new block's line is known (unless it may still be a list marker).
        if st.prev_blank && st.fence.is_none() && st.html_end.is_none() {
            if let Some(&c) = partial.as_bytes().first() {
                let may_continue_list = st.list_open && matches!(c, b'-' | b'*' | b'+' | b'0'..=b'9');
                if c != b' ' && c != b'\t' && !may_continue_list && st.leaf != Leaf::IndentedCode {
                    self.stable = ls;
                }
            }
        }
        let st = &self.block;
        let fence = st.fence.filter(|&f| !leaves_container(partial, f));
        let (cut, suffix) = if let Some(f) = fence {
            // Spec 4.5: an unclosed fence runs to the end of the document, so the
            // code so far already renders as code; only a line that may become the
            // closing fence is held, or it would show as code first.
            // A line still blank may yet end the fence's container.
            let may_leave = (f.indent > 0 || f.quoted) && is_blank(partial) && !partial.is_empty();
            (if may_close_fence(partial, f) || may_leave { ls } else { end }, String::new())
        } else if st.html_end.is_some() {
            (end, String::new())
        } else {
            self.live(text, ls)
        };
        let (mut cut, mut suffix) = (cut.max(self.stable), suffix);
        // A cut that leaves only markers on its line (`- ` before a held `**`)
        // would show an empty list item or heading that may never exist: cut the
        // line too.
        let line_start = text[..cut].rfind('\n').map_or(0, |i| i + 1).max(self.stable);
        if cut > line_start && is_marker_only(&text[line_start..cut]) {
            cut = line_start;
            suffix.clear();
        }
        // A cut inside a line that starts with `<` may leave a line that is a
        // complete tag alone, an HTML block start (kind 7) that the whole line
        // is not: cut the line too.
        let cut_mid_line = text.as_bytes().get(cut).is_some_and(|&c| c != b'\n');
        if cut > line_start && cut_mid_line && text[line_start..cut].trim_start().starts_with('<') {
            cut = line_start;
            suffix.clear();
        }
        View { stable: self.stable, cut, suffix, code_fence: fence.map(|f| f.info) }
    }

    /// The cut and closers for the live leaf, outside fences.
    fn live(&self, text: &str, ls: usize) -> (usize, String) {
        let st = &self.block;
        let end = text.len();
        let partial = &text[ls..];
        let para = match st.leaf {
            Leaf::Para { line, content, last_line, lines, .. } => Some((line, content, last_line, lines)),
            _ => None,
        };
        // Spec 4.7: a paragraph that starts with a label still open on a later
        // line may be a definition (`[\nfoo\n]: /url`), which shows nothing:
        // hold it whole until the label closes on something other than `:`.
        if let Some((line, content, ..)) = para {
            let held = match scan_label(&text[content..]) {
                Label::Open => true,
                Label::Closed(k) => matches!(text.as_bytes().get(content + k + 1), None | Some(b':')),
                Label::Invalid => false,
            };
            if held {
                return (line, String::new());
            }
        }
        // What the paragraph so far needs, if the partial line continues it.
        let para_view = |upto: usize| -> (usize, String) {
            match para {
                // `upto` may be the start of the paragraph's last line, which is
                // before its content when that line is indented (` |`).
                Some((_, content, ..)) if content < upto => self.inline(text, content, upto),
                _ => (upto, String::new()),
            }
        };
        if partial.is_empty() {
            return match (st.leaf, para) {
                (Leaf::Definition { run, .. }, _) => (run, String::new()),
                // GFM 4.10: a line with a pipe may become a table header when the
                // next line is a delimiter row: hold it until that line says.
                (_, Some((_, _, last_line, _))) if text[last_line..ls].contains('|') => {
                    let (c, s) = para_view(ls);
                    if c <= last_line {
                        (c, s)
                    } else {
                        (last_line, String::new())
                    }
                }
                (_, Some(_)) => para_view(end),
                _ => (end, String::new()),
            };
        }
        let info = classify(partial, para.is_some(), st.list_open);
        let content = &partial[info.content..];
        let hold_line = || -> (usize, String) {
            // A definition just before a held line is held with it, as it is
            // when no line follows yet (it shows nothing either way).
            if let Leaf::Definition { run, .. } = st.leaf {
                return (run, String::new());
            }
            let (c, s) = para_view(ls);
            if c < ls {
                (c, s)
            } else {
                (ls, s)
            }
        };
        if st.leaf == Leaf::IndentedCode && (info.indent >= 4 || is_blank(partial)) {
            return (end, String::new());
        }
        if st.leaf == Leaf::Html {
            return (end, String::new());
        }
        if let Leaf::Definition { run, this } = st.leaf {
            // Spec 4.7: the destination and the title may be on the next lines.
            // A complete definition shows nothing, so holding it costs nothing;
            // one that never completes is a paragraph, shown once that is known.
            if in_definition(&text[this..ls], partial) {
                return (run, String::new());
            }
        }
        // A line that is still only marker characters may become a list item, a
        // heading, a fence, a setext underline, a thematic break or a table
        // delimiter row (spec 4.1–4.5, 5.1, 5.2; GFM 4.10): hold it whole.
        if is_marker_only(partial) {
            // (A delimiter row may start with `:` or `|` as well as `-`.)
            if let Some((_, _, last_line, _)) = para {
                if text[last_line..ls].contains('|') {
                    // The header row of a table to be: hold it with its delimiter row.
                    let (c, s) = para_view(last_line);
                    return if c < last_line { (c, s) } else { (last_line, String::new()) };
                }
            }
            return hold_line();
        }
        match info.kind {
            // The info string (the language) is part of the rendering: wait for the
            // end of the fence line.
            Kind::Fence(_) => return hold_line(),
            // Whether a line starting with `<` starts an HTML block depends on the
            // whole line (kind 7: a complete tag followed only by whitespace;
            // spec 4.6): hold it until it ends.
            Kind::Html(_) => return hold_line(),
            Kind::Text if content.starts_with('<') => return hold_line(),
            Kind::Definition => return hold_line(),
            // `[label` may still become `[label]: url`.
            Kind::Text if para.is_none() && content.starts_with('[') && !content.contains("](") => {
                return hold_line();
            }
            _ => {}
        }
        if st.leaf == Leaf::Table && !info.item && info.kind != Kind::Blank {
            // A body row: only the last cell is open; earlier cells are closed by
            // their pipe, so what was open there is literal (GFM 4.10).
            let start = last_cell_start(partial, info.content);
            return self.inline_in(text, ls + start, end, true);
        }
        if partial.contains('|') && para.is_none_or(|_| !info.item) {
            // GFM 4.10: it may be a table header; hold the line until it ends.
            return hold_line();
        }
        let continues = para.is_some()
            && !info.item
            && (!info.quoted || matches!(st.leaf, Leaf::Para { quoted: true, .. }))
            && matches!(info.kind, Kind::Text | Kind::TableDelimiter | Kind::Html(_));
        if continues {
            return para_view(end);
        }
        if info.kind == Kind::Text && info.indent >= 4 && para.is_none() && !st.list_open && !info.quoted {
            return (end, String::new());
        }
        // A new leaf starts on this line; the paragraph before it is closed, and
        // what was open in it stays literal (spec 6.2: delimiters do not cross
        // block boundaries).
        let mut start = ls + info.content;
        if info.kind == Kind::Atx {
            let c = &text[start..];
            let hashes = c.bytes().take_while(|&b| b == b'#').count();
            start += hashes;
            // Spec 4.2: an optional closing sequence of `#`s is not content; a
            // trailing run of `#`s may still become one, so hold it.
            let t = text[start..].trim_end_matches('#');
            if t.len() < text.len() - start && t.ends_with([' ', '\t']) {
                let (c, s) = self.inline(text, start, start + t.len());
                return (c, s);
            }
        }
        self.inline(text, start, end)
    }

    /// Inline analysis of `text[start..end]`, a leaf's content that may go on.
    fn inline(&self, text: &str, start: usize, end: usize) -> (usize, String) {
        self.inline_in(text, start, end, false)
    }

    /// `inline`, for the last cell of a table row when `in_cell`.
    fn inline_in(&self, text: &str, start: usize, end: usize, in_cell: bool) -> (usize, String) {
        let r = inline::analyze(&text[start..end], &self.defs, self.heal, in_cell, self.math);
        (start + r.cut, r.suffix)
    }
}

/// The start of the last cell of a table row: after its last unescaped pipe.
fn last_cell_start(row: &str, from: usize) -> usize {
    let b = row.as_bytes();
    let mut last = from;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'|' => last = i + 1,
            _ => {}
        }
        i += 1;
    }
    last.min(b.len())
}
