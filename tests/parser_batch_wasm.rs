//! `WasmParser`'s batch encoding (two texts, ASCII and the rest, cut at UTF-16
//! offsets by records) and its string feeding, on random input, against the
//! native parser: what JS decodes from the batches is exactly what the core
//! parser reports, however the input is split, in bytes or in UTF-16 units.
//!
//! Runs only as wasm (the texts are real JS strings), in headless Chromium, a
//! dedicated worker and Node, chosen by `WASM_BINDGEN_USE_*` (see the
//! Makefile). The decoding below follows `decodeBatch` and the string feeding
//! follows `createParser().feed` in `pkg-template/api.js`, which cannot be
//! imported here (it imports the wasm-bindgen output); the record layout is
//! checked end to end against them by the package tests.

#![cfg(target_arch = "wasm32")]

use js_sys::JsString;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test as test;
use wasm_sse::parser::{Item, ParseError, Parser, ParserOptions};
use wasm_sse::wasm::parser::WasmParser;

#[path = "common/records_js.rs"]
mod records_js;

/// xorshift64*: a fixed, printed seed per case, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() >> 33) as usize % n
    }
}

/// A random stream: fields, line ends, ASCII and non-ASCII text, broken UTF-8.
fn stream(rng: &mut Rng) -> Vec<u8> {
    const PIECES: [&[u8]; 22] = [
        b"data: ",
        b"data",
        b"event: ",
        b"id: ",
        b"retry: ",
        b"retry: 12",
        b": ",
        b"foo: ",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b"\xEF\xBB\xBF",
        b"plain ascii",
        b"x",
        "é".as_bytes(),
        "世界".as_bytes(),
        "🎉".as_bytes(),
        "👩‍💻".as_bytes(),
        b"\xFF",
        b"\xF0\x9F",
        b"\0",
    ];
    let n = rng.below(80);
    (0..n).flat_map(|_| PIECES[rng.below(PIECES.len())].iter().copied()).collect()
}

/// The two texts of one batch and how far into each the decoding is.
struct Texts {
    ascii: JsString,
    wide: JsString,
    ascii_at: u32,
    wide_at: u32,
}

impl Texts {
    fn take(parser: &mut WasmParser) -> Texts {
        Texts {
            ascii: parser.take_ascii().dyn_into().expect("a string"),
            // An empty text is `undefined`: then no record points into it.
            wide: records_js::wide_text(parser).dyn_into().unwrap_or_default(),
            ascii_at: 0,
            wide_at: 0,
        }
    }

    /// The next string, cut from one of the texts at UTF-16 offsets.
    fn next(&mut self, end: u32) -> String {
        const WIDE: u32 = 1 << 31;
        if end & WIDE != 0 {
            let from = std::mem::replace(&mut self.wide_at, end & !WIDE);
            let s: String = self.wide.slice(from, end & !WIDE).into();
            assert!(!s.is_ascii(), "{s:?} came in the non-ASCII text");
            s
        } else {
            let from = std::mem::replace(&mut self.ascii_at, end);
            let s: String = self.ascii.slice(from, end).into();
            assert!(s.is_ascii(), "{s:?} came in the ASCII text");
            s
        }
    }
}

/// The items of one batch, with the last event ID carried across batches.
fn decode(records: &[u32], texts: &mut Texts, last_id: &mut String, out: &mut Vec<Item>) {
    let wide = |lo: u32, hi: u32| u64::from(lo) | (u64::from(hi) << 32);
    let mut i = 0;
    while i < records.len() {
        let head = records[i];
        i += 1;
        match head & 0xff {
            1 => {
                let data = texts.next(records[i]);
                i += 1;
                let mut event = "message".to_owned();
                if head & (1 << 8) != 0 {
                    event = texts.next(records[i]);
                    i += 1;
                }
                if head & (1 << 9) != 0 {
                    *last_id = texts.next(records[i]);
                    i += 1;
                }
                out.push(Item::Event { event, data, id: last_id.clone() });
            }
            2 => {
                out.push(Item::Retry(wide(records[i], records[i + 1])));
                i += 2;
            }
            3 => {
                out.push(Item::Comment(texts.next(records[i])));
                i += 1;
            }
            4 => {
                let limit = wide(records[i], records[i + 1]) as usize;
                out.push(Item::Error(ParseError::MaxBufferSize { limit }));
                i += 2;
            }
            5 => {
                out.push(Item::Error(ParseError::InvalidRetry { value: texts.next(records[i]) }));
                i += 1;
            }
            6 => {
                let field = texts.next(records[i]);
                let value = texts.next(records[i + 1]);
                out.push(Item::Error(ParseError::UnknownField { field, value }));
                i += 2;
            }
            other => panic!("unknown record tag {other}"),
        }
    }
}

/// What the native parser reports for the whole input, then `consume`.
fn native(input: &[u8], limit: Option<usize>) -> Vec<Item> {
    let mut parser = Parser::with_options(ParserOptions::default().max_buffer_size(limit));
    let mut items = Vec::new();
    parser.feed(input, &mut items);
    parser.consume(&mut items);
    items
}

/// A parser as `createParser` makes one: a limit (0 means none), comments and errors wanted.
fn wasm_parser(limit: Option<usize>) -> WasmParser {
    WasmParser::new(Some(limit.map_or(0.0, |n| n as f64)), true, true)
}

/// Random cut points of `len` items, sorted, ending at `len`.
fn cuts(rng: &mut Rng, len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (0..rng.below(10)).map(|_| rng.below(len + 1)).collect();
    cuts.sort_unstable();
    cuts.push(len);
    cuts
}

#[test]
fn byte_chunks_decoded_from_batches_match_the_native_parser() {
    for case in 0..300u64 {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ case.wrapping_mul(0x1000_0001) | 1);
        let input = stream(&mut rng);
        let limit = (rng.below(3) == 0).then(|| 1 + rng.below(40));
        let mut parser = wasm_parser(limit);
        let (mut got, mut last_id, mut start) = (Vec::new(), String::new(), 0);
        for cut in cuts(&mut rng, input.len()) {
            let records = parser.feed_bytes(&input[start..cut]);
            decode(&records, &mut Texts::take(&mut parser), &mut last_id, &mut got);
            start = cut;
        }
        let records = parser.consume();
        decode(&records, &mut Texts::take(&mut parser), &mut last_id, &mut got);
        assert_eq!(got, native(&input, limit), "case {case}: {:?}", String::from_utf8_lossy(&input));
    }
}

#[test]
fn string_chunks_cut_between_utf16_units_match_the_native_parser() {
    for case in 0..300u64 {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ case.wrapping_mul(0x1000_0001) | 1);
        let text = String::from_utf8_lossy(&stream(&mut rng)).into_owned();
        let mut units: Vec<u16> = text.encode_utf16().collect();
        // A JS string may hold lone surrogates; TextEncoder makes each a U+FFFD.
        for _ in 0..rng.below(3) {
            let at = rng.below(units.len() + 1);
            units.insert(at, [0xD83D, 0xDE00][rng.below(2)]);
        }
        let expected = native(String::from_utf16_lossy(&units).as_bytes(), None);

        let mut parser = wasm_parser(None);
        let (mut got, mut last_id, mut start) = (Vec::new(), String::new(), 0);
        // As `feed(string)` does: a chunk that ends in a high surrogate keeps it
        // back for the next chunk, so a pair split between chunks stays whole.
        let mut held: Vec<u16> = Vec::new();
        let mut feed = |parser: &mut WasmParser, chunk: &[u16], got: &mut Vec<Item>| {
            // `String::from` encodes like TextEncoder (a lone surrogate is
            // U+FFFD); the bytes go where `feed(string)`'s encodeInto puts them.
            let text = String::from(JsString::from_char_code(chunk));
            let at = parser.input_area(text.len());
            let memory: js_sys::WebAssembly::Memory = wasm_sse::wasm::parser::wasm_memory().unchecked_into();
            js_sys::Uint8Array::new_with_byte_offset_and_length(
                &memory.buffer(),
                at as u32,
                text.len() as u32,
            )
            .copy_from(text.as_bytes());
            let records = parser.feed_input(text.len());
            decode(&records, &mut Texts::take(parser), &mut last_id, got);
        };
        for cut in cuts(&mut rng, units.len()) {
            let mut chunk = std::mem::take(&mut held);
            chunk.extend_from_slice(&units[start..cut]);
            start = cut;
            if chunk.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
                held = chunk.split_off(chunk.len() - 1);
            }
            feed(&mut parser, &chunk, &mut got);
        }
        // At the end a held high half is a lone surrogate: U+FFFD.
        feed(&mut parser, &held, &mut got);
        let records = parser.consume();
        decode(&records, &mut Texts::take(&mut parser), &mut last_id, &mut got);
        assert_eq!(got, expected, "case {case}: {units:?}");
    }
}
