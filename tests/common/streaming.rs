//! Streaming a document through the pipeline with several tokenizations.

#![allow(dead_code)]

use wasm_sse::delta::{Extractor, Markdown, Pipeline, PipelineOptions};

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
}

impl Tokenization {
    /// All the tokenizations the tests use.
    pub const ALL: [Tokenization; 4] =
        [Tokenization::Chars1, Tokenization::Chars4, Tokenization::Random(7), Tokenization::Words];

    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Tokenization::Chars1 => "1 char",
            Tokenization::Chars4 => "4 chars",
            Tokenization::Random(_) => "random 1-12",
            Tokenization::Words => "words",
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
        }
    }
}

/// Streams `deltas` with a flush after each one, then `finish`.
pub fn stream(deltas: &[String], mode: Markdown) -> Vec<Shown> {
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText).markdown(mode));
    let mut shown = Vec::new();
    let record = |f: wasm_sse::delta::Flush<'_>| Shown {
        delta: f.delta.to_owned(),
        text: f.text.to_owned(),
        display: f.display(),
        stable_len: f.stable_len,
        stable_len_utf16: f.stable_len_utf16,
        text_len_utf16: f.text_len_utf16,
        done: f.done,
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
