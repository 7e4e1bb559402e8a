//! Feeds arbitrary event data to every extractor preset and to a JSON pointer
//! the input chooses: nothing panics; a pointer is accepted exactly when RFC
//! 6901 says it is well formed; an event the extractor rejects is rejected by
//! the pipeline too; and, where the extractor finds whole text, the pipeline
//! shows exactly that text (for the presets without `<think>` routing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_sse::delta::{Extracted, Extractor, Pipeline, PipelineOptions};

/// The SSE `event:` types the presets tell apart (and one they ignore).
const EVENTS: [&str; 14] = [
    "message",
    "error",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_start",
    "message_delta",
    "message_stop",
    "response.output_text.delta",
    "response.output_item.added",
    "response.function_call_arguments.delta",
    "response.completed",
    "response.failed",
    "ping",
];

/// RFC 6901, read literally: empty, or `/` then reference tokens in which every
/// `~` is followed by `0` or `1`.
fn is_valid_pointer(p: &str) -> bool {
    (p.is_empty() || p.starts_with('/')) && {
        let bytes = p.as_bytes();
        bytes.iter().enumerate().all(|(i, &b)| b != b'~' || matches!(bytes.get(i + 1), Some(b'0' | b'1')))
    }
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks the preset and the event type; for a pointer, the
    // first line of the rest is the pointer and the remainder the data.
    let Some((&knob, rest)) = input.split_first() else { return };
    let rest = String::from_utf8_lossy(rest);
    let event = EVENTS[usize::from(knob / 8) % EVENTS.len()];
    let (extractor, data) = match knob % 8 {
        0 => (Extractor::OpenAiChat, &rest[..]),
        1 => (Extractor::Anthropic, &rest[..]),
        2 => (Extractor::OpenAiResponses, &rest[..]),
        3 => (Extractor::AiSdk, &rest[..]),
        4 => (Extractor::PlainText, &rest[..]),
        5 => (Extractor::pointer("/choices/0/delta/content").expect("valid"), &rest[..]),
        _ => {
            let (pointer, data) = rest.split_once('\n').unwrap_or((&rest[..], ""));
            let parsed = Extractor::pointer(pointer);
            assert_eq!(parsed.is_some(), is_valid_pointer(pointer), "pointer {pointer:?}");
            match parsed {
                Some(x) => (x, data),
                None => return,
            }
        }
    };

    let extracted = extractor.extract(event, data);
    let mut pipeline = Pipeline::new(PipelineOptions::new(extractor.clone()));
    let pushed = pipeline.push_event(event, data);
    if extracted.is_err() {
        assert!(pushed.is_err(), "the extractor rejects {data:?} but the pipeline takes it");
    }
    if extractor == Extractor::PlainText {
        assert!(matches!(&extracted, Ok(Extracted::Text(p)) if p.text == data));
    }
    let answer_only = !matches!(extractor, Extractor::OpenAiChat);
    if let (true, Ok(_), Ok(Extracted::Text(piece))) = (answer_only, &pushed, &extracted) {
        if piece.lead_low.is_none() && piece.trail_high.is_none() {
            assert_eq!(pipeline.finish().text, piece.text, "data {data:?}");
        }
    }
});
