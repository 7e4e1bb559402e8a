//! Every wire format, as its producer sends it (`tests/wire/*.sse`, written
//! from the providers' documented event shapes), through the parser and the
//! pipeline, cut into chunks in several ways: each channel ends as
//! `tests/wire/*.json` says, and no flush ever shows anything the final answer
//! does not start with.

mod common;

use common::partial_input::PartialInput;
use serde_json::Value;
use wasm_sse::delta::{DeltaError, Extractor, Markdown, Pipeline, PipelineOptions, Status};
use wasm_sse::parser::{Event, Parser, Sink};

/// One fixture and what a client must end with.
struct Fixture {
    name: String,
    bytes: Vec<u8>,
    want: Value,
}

fn fixtures() -> Vec<Fixture> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/wire");
    let mut out: Vec<Fixture> = std::fs::read_dir(dir)
        .expect("tests/wire")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sse"))
        .map(|p| Fixture {
            name: p.file_stem().unwrap().to_string_lossy().into_owned(),
            bytes: std::fs::read(&p).unwrap(),
            want: serde_json::from_str(&std::fs::read_to_string(p.with_extension("json")).unwrap()).unwrap(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(out.len() >= 10, "the fixtures are missing: {}", out.len());
    out
}

/// The events of a chunk, in order.
#[derive(Default)]
struct Events(Vec<(String, String)>);

impl Sink for Events {
    fn on_event(&mut self, e: Event<'_>) {
        self.0.push((e.event.to_owned(), e.data.to_owned()));
    }
}

/// A tool call as a client keeps it from the flushes.
#[derive(Debug, Default)]
struct SeenCall {
    id: Option<String>,
    name: Option<String>,
    arguments: String,
    input: PartialInput,
    done: bool,
}

/// What a client built from every flush, as a UI would keep it.
#[derive(Debug, Default)]
struct Seen {
    text: String,
    reasoning: Option<String>,
    calls: Vec<SeenCall>,
    usage: Option<Value>,
    finish_reason: Option<String>,
    end: Option<String>,
    error_code: Option<String>,
    /// Every answer text and reasoning text a flush held, to check prefixes.
    texts: Vec<String>,
    reasonings: Vec<String>,
    arguments: Vec<(usize, String)>,
}

impl Seen {
    fn take(&mut self, f: &wasm_sse::delta::Flush<'_>) {
        assert!(!f.restarted);
        self.text.push_str(f.delta);
        assert_eq!(self.text, f.text, "the deltas add up to the text");
        self.texts.push(f.text.to_owned());
        if let Some(r) = f.reasoning {
            let mine = self.reasoning.get_or_insert_with(String::new);
            mine.push_str(r.delta);
            assert_eq!(mine, r.text, "the reasoning deltas add up to its text");
            self.reasonings.push(r.text.to_owned());
        }
        for call in f.tool_calls.iter().filter(|c| c.changed()) {
            if self.calls.len() <= call.index() {
                self.calls.push(SeenCall::default());
            }
            let mine = &mut self.calls[call.index()];
            mine.id = call.id().map(str::to_owned);
            mine.name = call.name().map(str::to_owned);
            mine.arguments.push_str(call.arguments_delta());
            assert_eq!(mine.arguments, call.arguments());
            if call.input_reset() {
                mine.input = PartialInput::default();
            }
            mine.input.apply(call.input_ops());
            mine.done = call.done();
            self.arguments.push((call.index(), call.arguments().to_owned()));
        }
        if f.changed.usage {
            self.usage = f.usage.map(|u| serde_json::from_str(u).expect("usage is JSON"));
        }
        if f.changed.finish_reason {
            self.finish_reason = f.finish_reason.map(str::to_owned);
        }
    }
}

/// Feeds `bytes` in chunks of the given sizes (cycled), flushing after each.
fn run(format: &str, mode: Markdown, bytes: &[u8], sizes: &[usize]) -> Seen {
    let extractor = Extractor::from_name(format).expect("a preset");
    let mut pipeline = Pipeline::new(PipelineOptions::new(extractor).markdown(mode));
    let mut parser = Parser::new();
    let mut seen = Seen::default();
    let mut at = 0;
    let mut n = 0;
    'feed: while at < bytes.len() {
        let size = sizes[n % sizes.len()].clamp(1, bytes.len() - at);
        n += 1;
        let mut events = Events::default();
        parser.feed(&bytes[at..at + size], &mut events);
        at += size;
        for (event, data) in &events.0 {
            match pipeline.push_event(event, data) {
                Ok(Status::Done) => {
                    seen.end = Some("done".into());
                    break 'feed;
                }
                Ok(_) => {}
                Err(DeltaError::Stream { kind, .. }) => {
                    seen.end = Some("stream-error".into());
                    seen.error_code = kind;
                    break 'feed;
                }
                Err(e) => panic!("{e}"),
            }
        }
        if let Some(f) = pipeline.flush() {
            seen.take(&f);
        }
    }
    let f = pipeline.finish();
    seen.take(&f);
    seen
}

fn check(fixture: &Fixture, seen: &Seen, how: &str) {
    let want = &fixture.want;
    let ctx = format!("{} ({how})", fixture.name);
    assert_eq!(seen.text, want["text"].as_str().unwrap(), "{ctx}: text");
    assert_eq!(seen.reasoning.as_deref(), want["reasoning"].as_str(), "{ctx}: reasoning");
    let calls = want["toolCalls"].as_array().unwrap();
    assert_eq!(seen.calls.len(), calls.len(), "{ctx}: tool calls");
    for (got, want) in seen.calls.iter().zip(calls) {
        assert_eq!(got.id.as_deref(), want["id"].as_str(), "{ctx}: id");
        assert_eq!(got.name.as_deref(), want["name"].as_str(), "{ctx}: name");
        assert_eq!(got.arguments, want["arguments"].as_str().unwrap(), "{ctx}: arguments");
        assert_eq!(got.input.value().as_ref(), Some(&want["input"]), "{ctx}: input built from the ops");
        assert_eq!(got.done, want["done"].as_bool().unwrap(), "{ctx}: done");
    }
    let want_usage = (!want["usage"].is_null()).then(|| want["usage"].clone());
    assert_eq!(seen.usage, want_usage, "{ctx}: usage");
    assert_eq!(seen.finish_reason.as_deref(), want["finishReason"].as_str(), "{ctx}: finish reason");
    assert_eq!(seen.end.as_deref(), want["end"].as_str(), "{ctx}: how it ended");
    if want["end"] == "stream-error" {
        assert_eq!(seen.error_code.as_deref(), want["errorCode"].as_str(), "{ctx}: error code");
    }
    // Nothing a flush showed is taken back or glued: every text is a prefix.
    for t in &seen.texts {
        assert!(seen.text.starts_with(t.as_str()), "{ctx}: {t:?} is not a prefix of the answer");
    }
    for r in &seen.reasonings {
        assert!(seen.reasoning.as_deref().unwrap_or("").starts_with(r.as_str()), "{ctx}: {r:?}");
    }
    for (i, a) in &seen.arguments {
        assert!(seen.calls[*i].arguments.starts_with(a.as_str()), "{ctx}: arguments {a:?}");
    }
}

#[test]
fn every_wire_fixture_ends_with_the_expected_channels_whatever_the_chunking() {
    for fixture in fixtures() {
        let format = fixture.want["format"].as_str().unwrap().to_owned();
        for (how, sizes) in [
            ("whole", vec![usize::MAX]),
            ("1 byte", vec![1]),
            ("7 bytes", vec![7]),
            ("mixed", vec![3, 1, 64, 2, 17, 500, 5]),
        ] {
            for mode in [Markdown::Off, Markdown::Hold, Markdown::Heal] {
                let seen = run(&format, mode, &fixture.bytes, &sizes);
                check(&fixture, &seen, &format!("{how}, {mode:?}"));
            }
        }
    }
}

#[test]
fn a_think_tag_cut_anywhere_never_reaches_a_display() {
    let fixture = fixtures().into_iter().find(|f| f.name == "openai-think-tag").unwrap();
    // Every flush's answer and reasoning is a prefix of tag-free final texts
    // (`check`), so no part of a tag was ever shown, at any cut.
    for size in 1..40 {
        let seen = run("openai", Markdown::Off, &fixture.bytes, &[size]);
        check(&fixture, &seen, &format!("{size}-byte chunks"));
        assert!(!seen.reasoning.as_deref().unwrap_or("").contains("think>"));
        assert!(!seen.text.starts_with('<'));
    }
}

#[test]
fn a_restart_starts_every_channel_over_and_says_so() {
    let fixture = fixtures().into_iter().find(|f| f.name == "openai-reasoning-tools").unwrap();
    let mut pipeline = Pipeline::new(PipelineOptions::new(Extractor::OpenAiChat));
    let mut parser = Parser::new();
    let mut events = Events::default();
    parser.feed(&fixture.bytes, &mut events);
    for (event, data) in &events.0[..8] {
        pipeline.push_event(event, data).unwrap();
    }
    assert!(pipeline.flush().is_some_and(|f| !f.text.is_empty() && !f.tool_calls.is_empty()));
    pipeline.restart();
    let f = pipeline.flush().expect("a restart is a flush of its own");
    assert!(f.restarted);
    assert_eq!((f.text, f.delta, f.reasoning.is_none(), f.tool_calls.len()), ("", "", true, 0));
    assert!(pipeline.flush().is_none());
    // The new attempt from its start: the channels end as if it were the only one.
    let mut seen = Seen::default();
    for (event, data) in &events.0 {
        if pipeline.push_event(event, data) == Ok(Status::Done) {
            break;
        }
        if let Some(f) = pipeline.flush() {
            seen.take(&f);
        }
    }
    seen.take(&pipeline.finish());
    seen.end = Some("done".into());
    check(&fixture, &seen, "after a restart");
}

#[test]
fn malformed_tool_arguments_keep_the_last_good_input_and_the_exact_text() {
    let mut pipeline = Pipeline::new(PipelineOptions::new(Extractor::OpenAiChat));
    let call = |args: &str| {
        format!(
            r#"{{"choices":[{{"delta":{{"tool_calls":[{{"index":0,"id":"c","function":{{"name":"f","arguments":{}}}}}]}}}}]}}"#,
            serde_json::to_string(args).unwrap()
        )
    };
    let mut input = PartialInput::default();
    for args in [r#"{"a": 1, "b": "x"#, r#"y", "c" 2"#, r#", "d": 3}"#] {
        pipeline.push_event("message", &call(args)).unwrap();
        let f = pipeline.flush().unwrap();
        input.apply(f.tool_calls[0].input_ops());
    }
    let f = pipeline.finish();
    let call = &f.tool_calls[0];
    assert_eq!(call.arguments(), r#"{"a": 1, "b": "xy", "c" 2, "d": 3}"#);
    assert!(call.input_failed());
    // The value after the last fragment that was good: nothing of the bad one.
    assert_eq!(input.value(), Some(serde_json::json!({ "a": 1, "b": "x" })));
}

#[test]
fn unknown_events_and_fields_are_ignored() {
    for (format, event, data) in [
        (
            "openai",
            "message",
            r#"{"choices":[{"delta":{"audio":{"id":"x"},"refusal":null}}],"service_tier":"default"}"#,
        ),
        (
            "anthropic",
            "content_block_delta",
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}"#,
        ),
        ("anthropic", "future_event", r#"{"type":"future_event"}"#),
        (
            "openai-responses",
            "response.web_search_call.searching",
            r#"{"type":"response.web_search_call.searching"}"#,
        ),
        ("ai-sdk", "message", r#"{"type":"source-url","sourceId":"s","url":"https://example.com"}"#),
        ("ai-sdk", "message", r#"{"type":"reset-step"}"#),
    ] {
        let mut p = Pipeline::new(PipelineOptions::new(Extractor::from_name(format).unwrap()));
        assert_eq!(p.push_event(event, data), Ok(Status::Continue), "{format} {data}");
        assert!(p.flush().is_none(), "{format} {data}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod generated {
    use super::*;
    use proptest::prelude::*;

    /// A fixture with some bytes changed, some cut out and some repeated.
    fn mangled() -> impl Strategy<Value = (usize, Vec<(usize, u8)>, usize, usize, Vec<usize>)> {
        (
            any::<usize>(),
            proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12),
            any::<usize>(),
            any::<usize>(),
            proptest::collection::vec(1usize..300, 1..6),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Whatever the bytes and the preset, the pipeline never panics, the
        /// deltas of every channel add up to its text, and a call's arguments
        /// only grow.
        #[test]
        fn damaged_streams_never_panic_and_channels_stay_consistent((which, edits, cut_at, cut_len, sizes) in mangled()) {
            let all = fixtures();
            let fixture = &all[which % all.len()];
            let mut bytes = fixture.bytes.clone();
            for (at, byte) in edits {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let at = cut_at % bytes.len();
            let end = (at + cut_len % 64).min(bytes.len());
            let cut: Vec<u8> = bytes[at..end].to_vec();
            bytes.drain(at..end);
            bytes.extend_from_slice(&cut);
            for format in ["openai", "anthropic", "openai-responses", "ai-sdk", "text", "/choices/0/delta/content"] {
                let extractor = Extractor::from_name(format).unwrap();
                let mut pipeline = Pipeline::new(PipelineOptions::new(extractor).markdown(Markdown::Heal));
                let mut parser = Parser::new();
                let (mut text, mut reasoning) = (String::new(), String::new());
                let mut arguments: Vec<String> = Vec::new();
                let mut at = 0;
                let mut n = 0;
                while at < bytes.len() {
                    let size = sizes[n % sizes.len()].min(bytes.len() - at);
                    n += 1;
                    let mut events = Events::default();
                    parser.feed(&bytes[at..at + size], &mut events);
                    at += size;
                    for (event, data) in &events.0 {
                        let _ = pipeline.push_event(event, data);
                    }
                    if let Some(f) = pipeline.flush() {
                        text.push_str(f.delta);
                        prop_assert_eq!(&text, f.text);
                        if let Some(r) = f.reasoning {
                            reasoning.push_str(r.delta);
                            prop_assert_eq!(&reasoning, r.text);
                        }
                        for call in f.tool_calls {
                            if arguments.len() <= call.index() {
                                arguments.push(String::new());
                            }
                            prop_assert!(call.arguments().starts_with(arguments[call.index()].as_str()));
                            arguments[call.index()] = call.arguments().to_owned();
                        }
                    }
                }
                let f = pipeline.finish();
                text.push_str(f.delta);
                prop_assert_eq!(&text, f.text);
                prop_assert_eq!(f.display(), f.text);
            }
        }
    }
}
