//! Feeds arbitrary bytes to the parser, split at places the input chooses, and
//! checks that nothing panics and that the split changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_sse::parser::{Item, Parser, ParserOptions};

fuzz_target!(|input: &[u8]| {
    // The first byte picks the chunk size and a buffer limit; the rest is the stream.
    let Some((&knob, stream)) = input.split_first() else { return };
    let chunk = usize::from(knob % 17) + 1;
    let limit = (knob >= 128).then(|| usize::from(knob - 127));
    let options = ParserOptions::default().max_buffer_size(limit);

    let mut whole = Parser::with_options(options.clone());
    let mut expected: Vec<Item> = Vec::new();
    whole.feed(stream, &mut expected);

    let mut split = Parser::with_options(options);
    let mut got: Vec<Item> = Vec::new();
    for piece in stream.chunks(chunk) {
        split.feed(piece, &mut got);
    }
    assert_eq!(got, expected);
    assert_eq!(split.last_event_id(), whole.last_event_id());

    split.consume(&mut got);
});
