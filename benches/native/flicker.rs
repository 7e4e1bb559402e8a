//! Prints the "flicker" of the markdown display over the corpus (the LLM-style
//! answers of `tests/corpus/markdown` and every example of the CommonMark
//! 0.31.2 and GFM 0.29 specs): the flushes whose display breaks the markdown
//! rule (see `tests/common/markdown_rule.rs`), for naive accumulation, `Hold`
//! and `Heal`, per corpus section and per tokenization; and the lag of each
//! mode: the tokens of the final rendering (visible characters, breaks, block
//! starts) that a perfect hold (the longest prefix of the text so far that
//! breaks no rule) shows and the display does not, per flush.
//!
//! Run with `cargo run --release --example flicker` (a native bench, kept under
//! benches/). `-- --failures` also lists the first failing flush per document.

#[path = "../../tests/common/markdown_rule.rs"]
mod markdown_rule;
#[path = "../../tests/common/streaming.rs"]
mod streaming;

use streaming::{sections, stream, Tokenization};
use wasm_sse::delta::Markdown;

const MODES: [Markdown; 3] = [Markdown::Off, Markdown::Hold, Markdown::Heal];

/// The longest prefix of `text` (at a char boundary) that breaks no rule, as the
/// number of final tokens it shows; searched from the end, as the best prefix
/// is usually close to it.
fn perfect_hold(text: &str, fin: &[markdown_rule::Token]) -> usize {
    let mut end = text.len();
    loop {
        let p = &text[..end];
        if markdown_rule::check(p, fin).is_ok() {
            return markdown_rule::shown(p, fin);
        }
        if end == 0 {
            return 0;
        }
        end = text[..end].char_indices().next_back().map_or(0, |(i, _)| i);
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    flushes: usize,
    /// Flushes that break the rule, per mode.
    broken: [usize; 3],
    /// Documents with at least one such flush, per mode.
    docs: [usize; 3],
    /// Lag in final tokens, summed over the flushes, for Hold and Heal.
    lag: [usize; 2],
    /// Where heal shows more than a perfect hold (by a close that is right).
    lead: usize,
    /// Of the broken flushes of Hold and Heal, those that show as text a link
    /// whose definition comes later in the document (no stream can know it).
    forward: [usize; 2],
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.flushes += o.flushes;
        for k in 0..3 {
            self.broken[k] += o.broken[k];
            self.docs[k] += o.docs[k];
        }
        self.lag[0] += o.lag[0];
        self.lag[1] += o.lag[1];
        self.lead += o.lead;
        self.forward[0] += o.forward[0];
        self.forward[1] += o.forward[1];
    }

    fn row(&self, a: &str, b: &str) {
        let pct = |n: usize| format!("{n} ({:.2}%)", 100.0 * n as f64 / self.flushes.max(1) as f64);
        let per = |n: usize| format!("{:.2}", n as f64 / self.flushes.max(1) as f64);
        println!(
            "| {a} | {b} | {} | {} | {} ({} fwd) | {} ({} fwd) | {}/{} | {} | {} |",
            self.flushes,
            pct(self.broken[0]),
            pct(self.broken[1]),
            self.forward[0],
            pct(self.broken[2]),
            self.forward[1],
            self.docs[1],
            self.docs[2],
            per(self.lag[0]),
            per(self.lag[1]),
        );
    }
}

fn main() {
    let list_failures = std::env::args().any(|a| a == "--failures");
    let mut failures = Vec::new();
    let mut seen = std::collections::HashSet::new();
    println!("| section | tokens | flushes | naive flicker | hold flicker | heal flicker | docs hold/heal | hold lag | heal lag |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut total = Tally::default();
    for (section, docs) in sections() {
        let mut sect = Tally::default();
        for tok in Tokenization::ALL {
            let mut t = Tally::default();
            for (name, doc) in &docs {
                let fin = markdown_rule::render(doc);
                let labels = markdown_rule::definitions(doc);
                let deltas = tok.split(doc);
                let runs: Vec<_> = MODES.iter().map(|&m| stream(&deltas, m)).collect();
                t.flushes += runs[0].len();
                for (k, shown) in runs.iter().enumerate() {
                    let mut any = false;
                    for s in shown {
                        if let Err(e) = markdown_rule::check(&s.display, &fin) {
                            any = true;
                            t.broken[k] += 1;
                            if k > 0 && markdown_rule::is_forward_reference(&s.display, &fin, &labels) {
                                t.forward[k - 1] += 1;
                                continue;
                            }
                            if list_failures && k > 0 && seen.insert((k, name.clone(), tok.name())) {
                                failures.push(format!(
                                    "{:?} {name} ({}): {:?}: {e}",
                                    MODES[k],
                                    tok.name(),
                                    s.display
                                ));
                            }
                        }
                    }
                    t.docs[k] += usize::from(any);
                }
                for (i, s) in runs[1].iter().enumerate() {
                    let best = perfect_hold(&s.text, &fin);
                    for (j, mode) in [1, 2].into_iter().enumerate() {
                        let display = &runs[mode][i].display;
                        let got = markdown_rule::shown(display, &fin);
                        t.lag[j] += best.saturating_sub(got);
                        if mode == 2 && got > best {
                            t.lead += 1;
                        }
                    }
                }
            }
            t.row(section, tok.name());
            sect.add(&t);
        }
        sect.row(section, "all");
        total.add(&sect);
    }
    total.row("all", "all");
    println!("\nheal shows more than a perfect hold in {} flushes", total.lead);
    // The first failing flush of each document, tokenization and mode.
    for f in failures {
        println!("{f}");
    }
}
