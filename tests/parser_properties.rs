//! Property tests: the incremental parser against a naive oracle that follows the
//! spec's prose on the whole input at once, over random inputs split at random
//! places (inside multi-byte characters, CRLFs and the BOM included).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use wasm_sse::parser::{Item, ParseError, Parser, ParserOptions};

/// The spec, read literally: decode everything, strip one BOM, split lines, and
/// run the field rules. Slow and simple on purpose.
fn oracle(input: &[u8]) -> (Vec<Item>, String) {
    let text = String::from_utf8_lossy(input);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lines.push(std::mem::take(&mut line));
            }
            '\n' => lines.push(std::mem::take(&mut line)),
            c => line.push(c),
        }
    }
    // `line` is now an unterminated line: never processed.
    let (mut items, mut data, mut event_type) = (Vec::new(), String::new(), String::new());
    let (mut id_buffer, mut last_id) = (String::new(), String::new());
    for line in lines {
        if line.is_empty() {
            last_id = id_buffer.clone();
            if data.is_empty() {
                event_type.clear();
                continue;
            }
            data.pop();
            let event = if event_type.is_empty() { "message".to_owned() } else { event_type.clone() };
            items.push(Item::Event { event, data: data.clone(), id: last_id.clone() });
            data.clear();
            event_type.clear();
        } else if let Some(comment) = line.strip_prefix(':') {
            items.push(Item::Comment(comment.strip_prefix(' ').unwrap_or(comment).to_owned()));
        } else {
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line.as_str(), ""),
            };
            match field {
                "data" => {
                    data.push_str(value);
                    data.push('\n');
                }
                "event" => event_type = value.to_owned(),
                "id" if !value.contains('\0') => id_buffer = value.to_owned(),
                "id" => {}
                "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                    items.push(Item::Retry(value.parse().unwrap_or(u64::MAX)))
                }
                "retry" => items.push(Item::Error(ParseError::InvalidRetry { value: value.to_owned() })),
                _ => items.push(Item::Error(ParseError::UnknownField {
                    field: field.to_owned(),
                    value: value.to_owned(),
                })),
            }
        }
    }
    (items, last_id)
}

/// Pieces that make interesting streams when strung together at random.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"data".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"event: ".to_vec()),
        Just(b"id: ".to_vec()),
        Just(b"retry: ".to_vec()),
        Just(b":".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just("é世🎉".as_bytes().to_vec()),
        Just(b"\xFF".to_vec()),
        Just(b"\xE2\x82".to_vec()),
        Just(b"\xF0\x9F".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"42".to_vec()),
        Just(b"x".to_vec()),
        Just(b"foo".to_vec()),
        "[a-z0-9 :]{0,12}".prop_map(String::into_bytes),
    ]
}

fn stream() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(piece(), 0..60).prop_map(|pieces| pieces.concat())
}

/// A stream and sorted cut points inside it.
fn stream_and_cuts() -> impl Strategy<Value = (Vec<u8>, Vec<usize>)> {
    stream().prop_flat_map(|s| {
        let len = s.len();
        (Just(s), prop::collection::vec(0..=len, 0..12)).prop_map(|(s, mut cuts)| {
            cuts.sort_unstable();
            (s, cuts)
        })
    })
}

fn feed_split(parser: &mut Parser, input: &[u8], cuts: &[usize]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain([input.len()].iter()) {
        parser.feed(&input[start..cut], &mut items);
        start = cut;
    }
    items
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_split_yields_exactly_the_events_of_the_naive_oracle((input, cuts) in stream_and_cuts()) {
        let got = feed_split(&mut Parser::new(), &input, &cuts);
        prop_assert_eq!(got, oracle(&input).0);
    }

    #[test]
    fn feeding_one_byte_at_a_time_matches_the_oracle(input in stream()) {
        let cuts: Vec<usize> = (0..=input.len()).collect();
        prop_assert_eq!(feed_split(&mut Parser::new(), &input, &cuts), oracle(&input).0);
    }

    #[test]
    fn with_a_limit_any_split_yields_the_same_items_as_the_whole((input, cuts) in stream_and_cuts(), limit in 1usize..40) {
        let options = ParserOptions::default().max_buffer_size(Some(limit));
        let whole = feed_split(&mut Parser::with_options(options.clone()), &input, &[]);
        let split = feed_split(&mut Parser::with_options(options), &input, &cuts);
        prop_assert_eq!(split, whole);
    }

    #[test]
    fn the_last_event_id_is_the_one_the_last_dispatch_set((input, cuts) in stream_and_cuts()) {
        let mut parser = Parser::new();
        feed_split(&mut parser, &input, &cuts);
        prop_assert_eq!(parser.last_event_id(), oracle(&input).1);
    }
}
