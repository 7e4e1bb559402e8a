//! Streaming a document through the pipeline with several tokenizations.

#![allow(dead_code)]

use wasm_sse::delta::{Extractor, Markdown, Math, Pipeline, PipelineOptions};

/// What one flush showed.
#[derive(Debug, Clone)]
pub struct Shown {
    pub delta: String,
    pub text: String,
    pub display: String,
    pub stable_len: usize,
    pub stable_len_utf16: usize,
    pub text_len_utf16: usize,
    pub done: bool,
    pub code_fence: Option<String>,
}

/// How a document is cut into deltas.
#[derive(Debug, Clone, Copy)]
pub enum Tokenization {
    /// One character per delta.
    Chars1,
    /// Four characters per delta.
    Chars4,
    /// 1 to 12 characters per delta, from a seeded generator.
    Random(u64),
    /// Words with the whitespace after them.
    Words,
    /// Pieces shaped like an LLM tokenizer's (see [`bpe_like`]).
    Bpe,
}

impl Tokenization {
    /// All the tokenizations the tests use.
    pub const ALL: [Tokenization; 5] = [
        Tokenization::Chars1,
        Tokenization::Chars4,
        Tokenization::Random(7),
        Tokenization::Words,
        Tokenization::Bpe,
    ];

    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Tokenization::Chars1 => "1 char",
            Tokenization::Chars4 => "4 chars",
            Tokenization::Random(_) => "random 1-12",
            Tokenization::Words => "words",
            Tokenization::Bpe => "bpe-like",
        }
    }

    /// Cuts `doc` into deltas.
    pub fn split(self, doc: &str) -> Vec<String> {
        let chars: Vec<char> = doc.chars().collect();
        let by = |sizes: &mut dyn FnMut() -> usize| {
            let mut out = Vec::new();
            let mut i = 0;
            while i < chars.len() {
                let n = sizes().max(1).min(chars.len() - i);
                out.push(chars[i..i + n].iter().collect());
                i += n;
            }
            out
        };
        match self {
            Tokenization::Chars1 => by(&mut || 1),
            Tokenization::Chars4 => by(&mut || 4),
            Tokenization::Random(seed) => {
                // xorshift64*: deterministic without a `rand` dependency.
                let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                by(&mut || {
                    x ^= x >> 12;
                    x ^= x << 25;
                    x ^= x >> 27;
                    (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % 12 + 1
                })
            }
            Tokenization::Words => {
                let mut out = Vec::new();
                let mut cur = String::new();
                let mut in_space = false;
                for c in doc.chars() {
                    if !c.is_whitespace() && in_space {
                        out.push(std::mem::take(&mut cur));
                    }
                    in_space = c.is_whitespace();
                    cur.push(c);
                }
                if !cur.is_empty() {
                    out.push(cur);
                }
                out
            }
            Tokenization::Bpe => bpe_like(doc),
        }
    }
}

/// The character classes of [`bpe_like`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Space,
    /// Whitespace other than a space (line ends, tabs).
    Break,
    Other,
}

fn class(c: char) -> Class {
    if c == ' ' {
        Class::Space
    } else if c.is_whitespace() {
        Class::Break
    } else if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_alphabetic() {
        Class::Letter
    } else {
        Class::Other
    }
}

/// Pieces shaped like those of a BPE tokenizer, without its vocabulary: a
/// space goes with the piece after it (` world`), letters come in sub-words
/// of up to 4, digits in groups of up to 3, punctuation in pairs (`**`, `](`),
/// and a run of line ends and tabs is one piece. The cuts land where a model's
/// do: inside words and inside delimiter runs. `tests/markdown/tokenize.mjs`
/// ports it; the two must cut alike.
pub fn bpe_like(doc: &str) -> Vec<String> {
    let chars: Vec<char> = doc.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        // Spaces: all but the last form a piece; the last one leads the next piece.
        if class(chars[i]) == Class::Space {
            let run = chars[i..].iter().take_while(|&&c| c == ' ').count();
            if run > 1 || i + run == chars.len() {
                let n = if i + run == chars.len() { run } else { run - 1 };
                out.push(chars[i..i + n].iter().collect());
                i += n;
                continue;
            }
            i += 1;
        }
        let k = class(chars[i]);
        let max = match k {
            Class::Letter => 4,
            Class::Digit => 3,
            Class::Other => 2,
            Class::Break | Class::Space => usize::MAX,
        };
        let mut n = 0;
        while i < chars.len() && class(chars[i]) == k && n < max {
            i += 1;
            n += 1;
        }
        out.push(chars[start..i].iter().collect());
    }
    out
}

/// Streams `deltas` with a flush after each one, then `finish`.
/// Math is `$` math, as the rule's renderer (pulldown-cmark with its math
/// extension) reads it.
pub fn stream(deltas: &[String], mode: Markdown) -> Vec<Shown> {
    let options = PipelineOptions::new(Extractor::PlainText).markdown(mode).math(Math::Dollar);
    let mut p = Pipeline::new(options);
    let mut shown = Vec::new();
    let record = |f: wasm_sse::delta::Flush<'_>| Shown {
        delta: f.delta.to_owned(),
        text: f.text.to_owned(),
        display: f.display(),
        stable_len: f.stable_len,
        stable_len_utf16: f.stable_len_utf16,
        text_len_utf16: f.text_len_utf16,
        done: f.done,
        code_fence: f.code_fence.map(str::to_owned),
    };
    for d in deltas {
        p.push_text(d);
        if let Some(f) = p.flush() {
            shown.push(record(f));
        }
    }
    shown.push(record(p.finish()));
    shown
}

/// The examples of a spec corpus in `tests/corpus/spec` (see `make.mjs` there),
/// named `FILE #N (SECTION)`.
pub fn spec_corpus(file: &str) -> Vec<(String, String)> {
    let path = format!("{}/tests/corpus/spec/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).expect("a spec corpus is JSON");
    let docs: Vec<(String, String)> = json["examples"]
        .as_array()
        .expect("a spec corpus has examples")
        .iter()
        .map(|e| {
            let name = format!("{file} #{} ({})", e["example"], e["section"].as_str().unwrap_or(""));
            (name, e["markdown"].as_str().expect("an example has markdown").to_owned())
        })
        .collect();
    // A test over an empty corpus passes whatever the pipeline does.
    assert!(docs.len() > 500, "{path}: only {} examples", docs.len());
    docs
}

/// The corpus sections: the LLM-style answers of `tests/corpus/markdown`, and
/// every example of the CommonMark 0.31.2 and GFM 0.29 specs.
pub fn sections() -> Vec<(&'static str, Vec<(String, String)>)> {
    vec![
        ("answers", corpus()),
        ("commonmark", spec_corpus("commonmark-0.31.2.json")),
        ("gfm", spec_corpus("gfm-0.29.json")),
    ]
}

/// The markdown documents of `tests/corpus/markdown`, by file name.
pub fn corpus() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/markdown");
    let mut docs: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("the corpus directory exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(e.path()).expect("a corpus file is UTF-8"))
        })
        .collect();
    docs.sort();
    // A test over an empty corpus passes whatever the pipeline does.
    assert!(!docs.is_empty(), "no .md documents found in {dir}");
    docs
}
