//! Feeds arbitrary bytes, as an event stream, through the parser and the delta
//! pipeline of the preset the input chooses, split where it chooses: nothing
//! panics, every channel's deltas add up to its text, the stable prefix of the
//! display never changes, tool arguments only grow, and the last flush shows
//! the text as is.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_sse::delta::{Extractor, Markdown, Pipeline, PipelineOptions};
use wasm_sse::parser::{Item, Parser};

const FORMATS: [&str; 6] = ["openai", "anthropic", "openai-responses", "ai-sdk", "text", "/a/0/b"];

fuzz_target!(|input: &[u8]| {
    // The first byte picks the preset, the markdown mode and the chunk size.
    let Some((&knob, stream)) = input.split_first() else { return };
    let format = FORMATS[usize::from(knob) % FORMATS.len()];
    let mode = [Markdown::Off, Markdown::Hold, Markdown::Heal][usize::from(knob / 6) % 3];
    let chunk = usize::from(knob / 18) + 1;
    let extractor = Extractor::from_name(format).expect("a preset");
    let mut pipeline = Pipeline::new(PipelineOptions::new(extractor).markdown(mode));
    let mut parser = Parser::new();
    let (mut text, mut reasoning, mut stable) = (String::new(), String::new(), String::new());
    let mut arguments: Vec<String> = Vec::new();
    for piece in stream.chunks(chunk) {
        let mut items: Vec<Item> = Vec::new();
        parser.feed(piece, &mut items);
        for item in items {
            if let Item::Event { event, data, .. } = item {
                let _ = pipeline.push_event(&event, &data);
            }
        }
        if let Some(f) = pipeline.flush() {
            text.push_str(f.delta);
            assert_eq!(text, f.text);
            assert!(f.text[..f.stable_len].starts_with(stable.as_str()), "the stable prefix changed");
            stable = f.text[..f.stable_len].to_owned();
            if let Some(r) = f.reasoning {
                reasoning.push_str(r.delta);
                assert_eq!(reasoning, r.text);
            }
            for call in f.tool_calls {
                if arguments.len() <= call.index() {
                    arguments.push(String::new());
                }
                assert!(call.arguments().starts_with(arguments[call.index()].as_str()));
                arguments[call.index()] = call.arguments().to_owned();
            }
        }
    }
    let f = pipeline.finish();
    text.push_str(f.delta);
    assert_eq!(text, f.text);
    assert_eq!(f.display(), f.text);
});
