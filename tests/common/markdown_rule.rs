//! The markdown-safety rule, checked with pulldown-cmark (CommonMark + GFM
//! tables, strikethrough and math).
//!
//! A display text handed to the UI is safe when its rendering shows only what
//! the final rendering shows in the same place: flatten each rendering into
//! tokens (one per visible character, break, rule or block start), each tagged
//! with its block containers (with their position in the document) and its
//! inline formatting; the display's tokens must be a prefix of the final's.
//!
//! Three deliberate allowances, each for something no streaming client can know
//! or that does not show:
//! * a paragraph in the display may be a setext heading in the final text (the
//!   underline comes after the whole paragraph);
//! * tight vs loose lists (a paragraph directly inside a list item) are the same;
//!   and as a paragraph may become a setext heading, so may the text directly in
//!   a tight item: a setext heading directly in a list item is its text;
//! * empty table cells at the very end of the display are not counted.
//!
//! Inline formatting is compared as a set (`<em><strong>` shows as
//! `<strong><em>`), and link and image URLs are not compared (a URL still
//! arriving shows as its text).

#![allow(dead_code)]

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The parser options of the rule: tables, strikethrough, math.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH
}

/// A block container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Para,
    Heading { level: HeadingLevel, setext: bool },
    Quote,
    List { ordered: bool },
    Item,
    Code { info: String },
    Html,
    Table,
    Head,
    Row,
    Cell,
}

/// A block container and its position among the containers of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub block: Block,
    pub ord: u32,
}

pub const EM: u8 = 1;
pub const STRONG: u8 = 2;
pub const DEL: u8 = 4;
pub const CODE: u8 = 8;
pub const LINK: u8 = 16;
pub const IMAGE: u8 = 32;
pub const MATH: u8 = 64;
pub const HTML: u8 = 128;

/// What a token shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Show {
    Char(char),
    SoftBreak,
    HardBreak,
    Rule,
    /// The start of a block (a bullet, a heading, a cell...).
    Open(Block),
}

/// One visible unit of a rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub show: Show,
    pub blocks: Vec<Frame>,
    pub inline: u8,
}

fn inline_flag(tag: &Tag<'_>) -> Option<u8> {
    Some(match tag {
        Tag::Emphasis => EM,
        Tag::Strong => STRONG,
        Tag::Strikethrough => DEL,
        Tag::Link { .. } => LINK,
        Tag::Image { .. } => IMAGE,
        _ => return None,
    })
}

fn end_flag(tag: &TagEnd) -> Option<u8> {
    Some(match tag {
        TagEnd::Emphasis => EM,
        TagEnd::Strong => STRONG,
        TagEnd::Strikethrough => DEL,
        TagEnd::Link => LINK,
        TagEnd::Image => IMAGE,
        _ => return None,
    })
}

/// The info string of the fenced code block that `md` ends with (only the ends
/// of its containers after it), as pulldown-cmark reads it; `None` when `md`
/// ends with anything else. A fence that closes at the very end counts too:
/// the parse does not tell the two apart.
pub fn trailing_fence(md: &str) -> Option<String> {
    let (mut fence, mut inside) = (None, false);
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info))) => {
                (fence, inside) = (Some(info.to_string()), true)
            }
            Event::End(TagEnd::CodeBlock) => inside = false,
            Event::End(TagEnd::Item | TagEnd::List(_) | TagEnd::BlockQuote(_)) => {}
            _ if inside => {}
            _ => fence = None,
        }
    }
    fence
}

/// Renders `md` into tokens.
pub fn render(md: &str) -> Vec<Token> {
    render_knowing(md, &[])
}

fn normalize_label(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase().replace('ß', "ss")
}

/// The (normalised) labels of the link reference definitions of `md`.
pub fn definitions(md: &str) -> Vec<String> {
    Parser::new_ext(md, options())
        .reference_definitions()
        .iter()
        .map(|(label, _)| normalize_label(label))
        .collect()
}

/// Renders `md` into tokens as if it also had definitions for `labels` (URLs
/// are not compared, so only the labels matter).
pub fn render_knowing(md: &str, labels: &[String]) -> Vec<Token> {
    let callback = |link: pulldown_cmark::BrokenLink<'_>| {
        labels.contains(&normalize_label(&link.reference)).then(|| ("".into(), "".into()))
    };
    let mut out = Vec::new();
    let mut blocks: Vec<Frame> = Vec::new();
    // Whether each open block tag was kept as a frame (a paragraph in an item is not).
    let mut kept: Vec<bool> = Vec::new();
    let mut inline: Vec<u8> = Vec::new();
    let mut ord = 0;
    let flags = |inline: &Vec<u8>| inline.iter().fold(0u8, |a, f| a | f);
    let push_chars = |out: &mut Vec<Token>, blocks: &Vec<Frame>, flags: u8, s: &str| {
        for c in s.chars() {
            out.push(Token { show: Show::Char(c), blocks: blocks.clone(), inline: flags });
        }
    };
    for (event, range) in
        Parser::new_with_broken_link_callback(md, options(), Some(callback)).into_offset_iter()
    {
        match event {
            Event::Start(tag) => {
                if let Some(f) = inline_flag(&tag) {
                    inline.push(f);
                    if f == IMAGE {
                        out.push(Token {
                            show: Show::Open(Block::Para),
                            blocks: blocks.clone(),
                            inline: flags(&inline),
                        });
                    }
                    continue;
                }
                let block = match &tag {
                    Tag::Paragraph => {
                        if matches!(blocks.last(), Some(Frame { block: Block::Item, .. })) {
                            kept.push(false);
                            continue;
                        }
                        Block::Para
                    }
                    Tag::Heading { level, .. } => {
                        let src = md[range.clone()].trim_start();
                        let setext = !src.starts_with('#');
                        if setext && matches!(blocks.last(), Some(Frame { block: Block::Item, .. })) {
                            kept.push(false);
                            continue;
                        }
                        Block::Heading { level: *level, setext }
                    }
                    Tag::BlockQuote(_) => Block::Quote,
                    Tag::List(start) => Block::List { ordered: start.is_some() },
                    Tag::Item => Block::Item,
                    Tag::CodeBlock(kind) => Block::Code {
                        info: match kind {
                            pulldown_cmark::CodeBlockKind::Fenced(info) => info.to_string(),
                            pulldown_cmark::CodeBlockKind::Indented => String::new(),
                        },
                    },
                    Tag::HtmlBlock => Block::Html,
                    Tag::Table(_) => Block::Table,
                    Tag::TableHead => Block::Head,
                    Tag::TableRow => Block::Row,
                    Tag::TableCell => Block::Cell,
                    _ => {
                        kept.push(false);
                        continue;
                    }
                };
                kept.push(true);
                ord += 1;
                blocks.push(Frame { block: block.clone(), ord });
                out.push(Token { show: Show::Open(block), blocks: blocks.clone(), inline: 0 });
            }
            Event::End(tag) => {
                if end_flag(&tag).is_some() {
                    inline.pop();
                    continue;
                }
                if kept.pop() == Some(true) {
                    blocks.pop();
                }
            }
            Event::Text(s) => push_chars(&mut out, &blocks, flags(&inline), &s),
            Event::Code(s) => push_chars(&mut out, &blocks, flags(&inline) | CODE, &s),
            Event::InlineMath(s) | Event::DisplayMath(s) => {
                push_chars(&mut out, &blocks, flags(&inline) | MATH, &s)
            }
            Event::Html(s) | Event::InlineHtml(s) => push_chars(&mut out, &blocks, flags(&inline) | HTML, &s),
            Event::SoftBreak => {
                out.push(Token { show: Show::SoftBreak, blocks: blocks.clone(), inline: flags(&inline) })
            }
            Event::HardBreak => {
                out.push(Token { show: Show::HardBreak, blocks: blocks.clone(), inline: flags(&inline) })
            }
            Event::Rule => out.push(Token { show: Show::Rule, blocks: blocks.clone(), inline: 0 }),
            _ => {}
        }
    }
    out
}

fn frames_match(display: &[Frame], fin: &[Frame]) -> bool {
    display.len() == fin.len()
        && display.iter().zip(fin).all(|(d, f)| {
            d.ord == f.ord
                && (d.block == f.block
                    || (d.block == Block::Para && matches!(f.block, Block::Heading { setext: true, .. })))
        })
}

fn token_matches(d: &Token, f: &Token) -> bool {
    let show = match (&d.show, &f.show) {
        (Show::Open(Block::Para), Show::Open(Block::Heading { setext: true, .. })) => true,
        (a, b) => a == b,
    };
    show && d.inline == f.inline && frames_match(&d.blocks, &f.blocks)
}

/// How many tokens of the final rendering `display` shows correctly: the
/// length of the longest common prefix of the two renderings (with the
/// allowances of [`check`]).
pub fn shown(display: &str, fin: &[Token]) -> usize {
    let d = render_trimmed(display);
    d.iter().zip(fin).take_while(|(a, b)| token_matches(a, b)).count()
}

/// Whether `display`, which breaks the rule, would keep it if it knew the link
/// reference definitions `labels` of the final text: it shows as text a link
/// whose definition comes later, which no streaming display can know.
pub fn is_forward_reference(display: &str, fin: &[Token], labels: &[String]) -> bool {
    !labels.is_empty() && compare(&trim(render_knowing(display, labels)), fin).is_ok()
}

/// The display's tokens without the allowances at its very end.
fn render_trimmed(display: &str) -> Vec<Token> {
    trim(render(display))
}

fn trim(mut d: Vec<Token>) -> Vec<Token> {
    // Allowances at the very end of the display: empty trailing cells and rows
    // of a partial table row, and the newline that ends an unfinished code block.
    while let Some(t) = d.last() {
        let drop = matches!(t.show, Show::Open(Block::Cell | Block::Row))
            || (t.show == Show::Char('\n')
                && matches!(t.blocks.last(), Some(Frame { block: Block::Code { .. }, .. })));
        if !drop {
            break;
        }
        d.pop();
    }
    d
}

/// Checks the rule for `display` against the final rendering's tokens. `Err`
/// describes the first difference.
pub fn check(display: &str, fin: &[Token]) -> Result<(), String> {
    compare(&render_trimmed(display), fin)
}

fn compare(d: &[Token], fin: &[Token]) -> Result<(), String> {
    if d.len() > fin.len() {
        return Err(format!("the display renders {} tokens, the final text {}", d.len(), fin.len()));
    }
    for (i, (a, b)) in d.iter().zip(fin).enumerate() {
        if !token_matches(a, b) {
            return Err(format!("token {i} differs: display {a:?}, final {b:?}"));
        }
    }
    Ok(())
}
