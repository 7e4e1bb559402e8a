//! Prints the "flicker" of the markdown display over the corpus in
//! `tests/corpus/markdown`: the share of flushes whose display breaks the
//! markdown rule (see `tests/common/markdown_rule.rs`), for naive accumulation,
//! `Hold` and `Heal`, and how many characters `Hold` keeps back on average.
//!
//! Run with `cargo run --example flicker` (a native bench, kept under benches/).

#[path = "../../tests/common/markdown_rule.rs"]
mod markdown_rule;
#[path = "../../tests/common/streaming.rs"]
mod streaming;

use streaming::{corpus, stream, Tokenization};
use wasm_sse::delta::Markdown;

fn main() {
    let docs = corpus();
    println!("{} documents, flush after every delta\n", docs.len());
    println!(
        "{:<12} {:>8} {:>14} {:>14} {:>14} {:>14}",
        "tokens", "flushes", "naive flicker", "hold flicker", "heal flicker", "hold-back"
    );
    let mut totals = [0usize; 4];
    let mut held_total = 0usize;
    for tok in Tokenization::ALL {
        let mut counts = [0usize; 4];
        let mut held = 0usize;
        for (_, doc) in &docs {
            let fin = markdown_rule::render(doc);
            let deltas = tok.split(doc);
            for (k, mode) in [Markdown::Off, Markdown::Hold, Markdown::Heal].into_iter().enumerate() {
                let shown = stream(&deltas, mode);
                if k == 0 {
                    counts[0] += shown.len();
                }
                for s in &shown {
                    if markdown_rule::check(&s.display, &fin).is_err() {
                        counts[k + 1] += 1;
                    }
                    if mode == Markdown::Hold {
                        held += s.text.chars().count() - s.display.chars().count();
                    }
                }
            }
        }
        let pct = |n: usize| format!("{:.1}%", 100.0 * n as f64 / counts[0] as f64);
        println!(
            "{:<12} {:>8} {:>14} {:>14} {:>14} {:>11.2} ch",
            tok.name(),
            counts[0],
            pct(counts[1]),
            pct(counts[2]),
            pct(counts[3]),
            held as f64 / counts[0] as f64
        );
        for (t, c) in totals.iter_mut().zip(counts) {
            *t += c;
        }
        held_total += held;
    }
    let pct = |n: usize| format!("{:.1}%", 100.0 * n as f64 / totals[0] as f64);
    println!(
        "{:<12} {:>8} {:>14} {:>14} {:>14} {:>11.2} ch",
        "all",
        totals[0],
        pct(totals[1]),
        pct(totals[2]),
        pct(totals[3]),
        held_total as f64 / totals[0] as f64
    );
}
