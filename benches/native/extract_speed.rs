//! Times the delta pipeline's per-event path natively: 100k OpenAI Chat
//! Completions chunks (about 200 bytes each, some multi-byte or escaped text,
//! as `benches/parser/streams.mjs` makes them) pushed into a [`Pipeline`],
//! then one final flush. Best of 5 runs, in ns per event. A second line times
//! the same stream as 16 KiB byte chunks through the SSE parser first, as
//! `WasmDelta::feed_bytes` runs it.
//!
//! Run with `cargo run --release --example extract_speed` (add `-- --push-only`
//! to skip the parser line, for a profiler).

use std::hint::black_box;
use std::time::{Duration, Instant};

use wasm_sse::delta::{Extractor, Pipeline, PipelineOptions};
use wasm_sse::parser::{Event, Parser, Sink};

const EVENTS: usize = 100_000;
const RUNS: usize = 5;

/// xorshift32, as in `benches/parser/streams.mjs`.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        f64::from(x) / 4_294_967_296.0
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() * list.len() as f64) as usize]
    }
}

const ASCII: &[&str] = &[
    "the", "of", "a", "to", "and", "is", "in", "that", "it", "for", "you", "with", "on", "as", "this", "are",
    "be", "model", "stream", "token", "answer",
];
const OTHER: &[&str] = &[
    "café",
    "naïve",
    "déjà vu",
    "Zürich",
    "façade",
    "señor",
    "Ærøskøbing",
    "Ελλάδα",
    "Кириллица",
    "你好",
    "世界",
    "日本語",
    "한국어",
    "東京タワー",
    "🚀",
    "👍🏽",
    "🎉",
    "❤️",
    "👩‍💻",
    "\n\n",
    "\"quoted\"",
    "`code`",
    "**bold**",
    "a\\b",
];

/// The data of each event, ending with `[DONE]`, and the expected answer.
fn events() -> (Vec<String>, String) {
    let mut r = Rng(0x5eed_0001);
    let id: String = (0..29)
        .map(|_| {
            let abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".as_bytes();
            abc[(r.next() * abc.len() as f64) as usize] as char
        })
        .collect();
    let id = format!("chatcmpl-{id}");
    let mut out = Vec::with_capacity(EVENTS);
    let mut answer = String::new();
    for i in 0..EVENTS {
        if i == EVENTS - 1 {
            out.push("[DONE]".to_owned());
            break;
        }
        let last = i == EVENTS - 2;
        let mut content = String::new();
        let n = 1 + (r.next() * 3.0) as usize;
        for _ in 0..n {
            if !content.is_empty() && r.next() < 0.7 {
                content.push(' ');
            }
            content.push_str(if r.next() < 0.8 { r.pick(ASCII) } else { r.pick(OTHER) });
        }
        let delta = if i == 0 {
            serde_json::json!({ "role": "assistant", "content": "" })
        } else if last {
            serde_json::json!({})
        } else {
            answer.push_str(&content);
            serde_json::json!({ "content": content })
        };
        // serde_json keeps insertion order only with a feature; write the object by hand.
        out.push(format!(
            r#"{{"id":"{id}","object":"chat.completion.chunk","created":{},"model":"gpt-4o-mini","choices":[{{"index":0,"delta":{delta},"finish_reason":{}}}]}}"#,
            1_735_689_600 + (i >> 6),
            if last { "\"stop\"" } else { "null" },
        ));
    }
    (out, answer)
}

fn best<F: FnMut() -> usize>(mut run: F, answer_len: usize) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let t = Instant::now();
        let len = run();
        best = best.min(t.elapsed());
        assert_eq!(len, answer_len);
    }
    best
}

struct Push<'a>(&'a mut Pipeline);

impl Sink for Push<'_> {
    fn on_event(&mut self, event: Event<'_>) {
        self.0.push_event(event.event, event.data).expect("no error in the stream");
    }
}

fn main() {
    let (data, answer) = events();
    let bytes: usize = data.iter().map(String::len).sum();
    println!("{EVENTS} events, {:.0} bytes of data per event on average", bytes as f64 / EVENTS as f64);

    let t = best(
        || {
            let mut p = Pipeline::new(PipelineOptions::new(Extractor::OpenAiChat));
            for d in &data {
                black_box(p.push_event("message", black_box(d)).expect("no error in the stream"));
            }
            let f = p.finish();
            assert_eq!(f.text, answer);
            f.text.len()
        },
        answer.len(),
    );
    println!("push_event + finish:          {:>6.1} ns/event", t.as_nanos() as f64 / EVENTS as f64);
    if std::env::args().any(|a| a == "--push-only") {
        return;
    }

    let stream: Vec<u8> = data.iter().flat_map(|d| format!("data: {d}\n\n").into_bytes()).collect();
    let t = best(
        || {
            let mut p = Pipeline::new(PipelineOptions::new(Extractor::OpenAiChat));
            let mut parser = Parser::new();
            for chunk in stream.chunks(16 * 1024) {
                parser.feed(black_box(chunk), &mut Push(&mut p));
            }
            let f = p.finish();
            assert_eq!(f.text, answer);
            f.text.len()
        },
        answer.len(),
    );
    println!("parser + push_event + finish: {:>6.1} ns/event", t.as_nanos() as f64 / EVENTS as f64);
}
