//! The markdown-safety properties of the delta pipeline over the corpus in
//! `tests/corpus/markdown`, streamed with several tokenizations and checked
//! with pulldown-cmark (see `tests/common/markdown_rule.rs`).

mod common;

use common::markdown_rule::{check, render};
use common::streaming::{corpus, stream, Tokenization};
use wasm_sse::delta::{self, Markdown};

fn run(mode: Markdown) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, doc) in corpus() {
        let fin = render(&doc);
        for tok in Tokenization::ALL {
            let deltas = tok.split(&doc);
            let shown = stream(&deltas, mode);
            let mut concat = String::new();
            let mut last_stable = 0;
            for s in &shown {
                concat.push_str(&s.delta);
                assert_eq!(concat, s.text, "{name} ({}): deltas add up to the text", tok.name());
                assert!(s.stable_len >= last_stable, "{name}: stable_len never decreases");
                last_stable = s.stable_len;
                assert_eq!(s.display[..s.stable_len], s.text[..s.stable_len]);
                if let Err(e) = check(&s.display, &fin) {
                    failures.push(format!("{name} ({}): display {:?}: {e}", tok.name(), s.display));
                }
                if let Err(e) = check(&s.text[..s.stable_len], &fin) {
                    failures.push(format!(
                        "{name} ({}): stable part {:?}: {e}",
                        tok.name(),
                        &s.text[..s.stable_len]
                    ));
                }
            }
            assert_eq!(concat, doc, "{name} ({}): nothing is lost", tok.name());
            let last = shown.last().expect("finish always flushes");
            assert!(last.done);
            assert_eq!(last.display, doc, "{name}: a complete document comes back untouched");
        }
    }
    failures
}

fn report(failures: Vec<String>) {
    if !failures.is_empty() {
        let n = failures.len();
        // The first failure of each document and tokenization.
        let mut seen = std::collections::HashSet::new();
        let shown: Vec<_> =
            failures.into_iter().filter(|f| seen.insert(f.split(':').next().map(str::to_owned))).collect();
        panic!("{n} flushes break the rule, first ones:\n{}", shown.join("\n"));
    }
}

#[test]
fn every_hold_flush_renders_as_a_prefix_of_the_final_document() {
    report(run(Markdown::Hold));
}

#[test]
fn every_heal_flush_renders_as_a_prefix_of_the_final_document() {
    report(run(Markdown::Heal));
}

#[test]
fn healing_healed_output_changes_nothing() {
    for (name, doc) in corpus() {
        let mut prefix = String::new();
        for c in doc.chars() {
            prefix.push(c);
            let once = delta::view(&prefix, Markdown::Heal);
            let twice = delta::view(&once, Markdown::Heal);
            assert_eq!(once, twice, "{name}: healing {prefix:?}");
        }
    }
}

#[test]
fn utf16_lengths_match_the_text() {
    for (_, doc) in corpus() {
        for s in stream(&Tokenization::Random(3).split(&doc), Markdown::Heal) {
            assert_eq!(s.text_len_utf16, s.text.encode_utf16().count());
            assert_eq!(s.stable_len_utf16, s.text[..s.stable_len].encode_utf16().count());
        }
    }
}
