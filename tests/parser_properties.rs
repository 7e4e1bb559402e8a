//! Property tests: the incremental parser against a naive oracle that follows the
//! spec's prose on the whole input at once, over random inputs split at random
//! places (inside multi-byte characters, CRLFs and the BOM included).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use wasm_sse::parser::{Item, ParseError, Parser, ParserOptions};

/// The spec, read literally: decode everything, strip one BOM, split lines, and
/// run the field rules. Slow and simple on purpose.
fn oracle(input: &[u8]) -> (Vec<Item>, String) {
    oracle_from(input, "")
}

/// [`oracle`] for a stream whose last event ID starts as `initial_id` (a
/// reconnect that sent it).
fn oracle_from(input: &[u8], initial_id: &str) -> (Vec<Item>, String) {
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
    let (mut id_buffer, mut last_id) = (initial_id.to_owned(), initial_id.to_owned());
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

/// The lines of `input` as bytes, after one leading BOM, and the unterminated
/// rest (CR, LF and CRLF end lines).
fn raw_lines(input: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let mut rest = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut lines = Vec::new();
    while let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
        lines.push(&rest[..end]);
        let crlf = rest[end] == b'\r' && rest.get(end + 1) == Some(&b'\n');
        rest = &rest[end + 1 + usize::from(crlf)..];
    }
    (lines, rest)
}

fn field_of(line: &[u8]) -> (&[u8], &[u8]) {
    match line.iter().position(|&b| b == b':') {
        Some(colon) => {
            let value = &line[colon + 1..];
            (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
        }
        None => (line, b""),
    }
}

/// The smallest `max_buffer_size` under which nothing of `input` overflows:
/// its longest line (the unterminated one too) and its largest data buffer
/// (each `data:` value and its LF).
fn needed_limit(input: &[u8]) -> usize {
    let (lines, rest) = raw_lines(input);
    let (mut needed, mut data) = (rest.len(), 0);
    for line in lines {
        needed = needed.max(line.len());
        match field_of(line) {
            _ if line.is_empty() => data = 0,
            (b"data", value) if !line.starts_with(b":") => {
                data += value.len() + 1;
                needed = needed.max(data);
            }
            _ => {}
        }
    }
    needed
}

/// The spec with the parser's documented limit (see `ParseError::MaxBufferSize`):
/// a line longer than `limit` bytes is an error and is dropped; unless it is a
/// comment, so is its block, `id:` included; a block whose data would pass the
/// limit is an error once and is dropped too. Works on the raw lines; each
/// field value is decoded on its own.
fn oracle_limited(input: &[u8], limit: usize) -> (Vec<Item>, String) {
    let decode = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let overflow = || Item::Error(ParseError::MaxBufferSize { limit });
    let (lines, rest) = raw_lines(input);
    let (mut items, mut data, mut event_type) = (Vec::new(), Vec::new(), Vec::new());
    let (mut id_buffer, mut last_id, mut dropping) = (String::new(), String::new(), false);
    for line in lines {
        if line.len() > limit {
            items.push(overflow());
            dropping |= !line.starts_with(b":");
        } else if line.is_empty() {
            if std::mem::take(&mut dropping) {
                id_buffer = last_id.clone();
            } else {
                last_id = id_buffer.clone();
                if !data.is_empty() {
                    data.pop();
                    let event =
                        if event_type.is_empty() { "message".to_owned() } else { decode(&event_type) };
                    items.push(Item::Event { event, data: decode(&data), id: last_id.clone() });
                }
            }
            data.clear();
            event_type.clear();
        } else if let Some(comment) = line.strip_prefix(b":") {
            items.push(Item::Comment(decode(comment.strip_prefix(b" ").unwrap_or(comment))));
        } else {
            match field_of(line) {
                (b"data", _) if dropping => {}
                (b"data", value) if data.len() + value.len() + 1 > limit => {
                    items.push(overflow());
                    dropping = true;
                }
                (b"data", value) => {
                    data.extend_from_slice(value);
                    data.push(b'\n');
                }
                (b"event", value) => event_type = value.to_vec(),
                (b"id", value) if !value.contains(&0) => id_buffer = decode(value),
                (b"id", _) => {}
                (b"retry", value) if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                    items.push(Item::Retry(decode(value).parse().unwrap_or(u64::MAX)))
                }
                (b"retry", value) => {
                    items.push(Item::Error(ParseError::InvalidRetry { value: decode(value) }))
                }
                (field, value) => items.push(Item::Error(ParseError::UnknownField {
                    field: decode(field),
                    value: decode(value),
                })),
            }
        }
    }
    if rest.len() > limit {
        items.push(overflow());
    }
    (items, last_id)
}

/// A stream with long lines and long events among short ones, for the limits.
fn stream_with_long_lines() -> impl Strategy<Value = Vec<u8>> {
    let long = prop_oneof![
        "[a-z]{10,30}".prop_map(String::into_bytes),
        Just(b"data: a long value that will not fit\n".to_vec()),
        Just(b"id: 99\ndata: 0123456789012345678901234567890123456789\n".to_vec()),
        Just(b": a long comment line, longer than most limits\n".to_vec()),
        Just(b"data: 0123456789\ndata: 0123456789\ndata: 0123456789\n".to_vec()),
    ];
    prop::collection::vec(prop_oneof![4 => piece(), 1 => long], 0..60).prop_map(|pieces| pieces.concat())
}

/// One connection of a run: maybe the last event ID it resumes from, the
/// chunks it receives, and how it ends (`consume` when true, else `reset`).
#[derive(Debug, Clone)]
struct Connection {
    resume_from: Option<String>,
    chunks: Vec<Vec<u8>>,
    consume: bool,
}

fn connections() -> impl Strategy<Value = Vec<Connection>> {
    let connection = (prop::option::of("[a-z0-9é]{0,3}"), stream_and_cuts(), any::<bool>()).prop_map(
        |(resume_from, (input, cuts), consume)| {
            let mut chunks = Vec::new();
            let mut start = 0;
            for &cut in cuts.iter().chain([input.len()].iter()) {
                chunks.push(input[start..cut].to_vec());
                start = cut;
            }
            Connection { resume_from, chunks, consume }
        },
    );
    prop::collection::vec(connection, 1..5)
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn a_limit_no_line_or_event_reaches_changes_nothing(
        (input, cuts) in stream_and_cuts(), extra in 0usize..3
    ) {
        let needed = needed_limit(&input);
        let options = ParserOptions::default().max_buffer_size(Some(needed + extra));
        let mut limited = Parser::with_options(options);
        let mut unlimited = Parser::new();
        prop_assert_eq!(feed_split(&mut limited, &input, &cuts), feed_split(&mut unlimited, &input, &cuts));
        prop_assert_eq!(limited.last_event_id(), unlimited.last_event_id());
        // And the bound is tight: one byte less overflows somewhere.
        if needed > 0 {
            let mut tight = Parser::with_options(ParserOptions::default().max_buffer_size(Some(needed - 1)));
            let items = feed_split(&mut tight, &input, &cuts);
            let overflowed = items.iter().any(|i| matches!(i, Item::Error(ParseError::MaxBufferSize { .. })));
            prop_assert!(overflowed, "a limit of {} overflows nothing", needed - 1);
        }
    }

    #[test]
    fn a_block_over_the_limit_is_dropped_with_its_id(
        input in stream_with_long_lines(), limit in 1usize..48
    ) {
        let mut parser = Parser::with_options(ParserOptions::default().max_buffer_size(Some(limit)));
        let got = feed_split(&mut parser, &input, &[]);
        let (items, last_id) = oracle_limited(&input, limit);
        prop_assert_eq!(got, items);
        prop_assert_eq!(parser.last_event_id(), last_id);
    }

}

proptest! {
    // Fewer cases: the oracle reruns on everything received after each chunk.
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn reset_consume_and_set_last_event_id_follow_the_spec_per_connection(run in connections()) {
        let mut parser = Parser::new();
        let mut last_id = String::new();
        for connection in run {
            if let Some(id) = &connection.resume_from {
                parser.set_last_event_id(id);
                last_id.clone_from(id);
            }
            let mut got = Vec::new();
            let mut received = Vec::new();
            for chunk in &connection.chunks {
                parser.feed(chunk, &mut got);
                received.extend_from_slice(chunk);
                // An ID counts only once its block is dispatched.
                prop_assert_eq!(parser.last_event_id(), oracle_from(&received, &last_id).1);
            }
            if connection.consume {
                // Consuming ends the last line and block as a blank line would.
                parser.consume(&mut got);
                received.extend_from_slice(b"\n\n");
            } else {
                // A reset discards them, as the spec does at the end of a stream.
                parser.reset();
            }
            let (want, id) = oracle_from(&received, &last_id);
            prop_assert_eq!(got, want);
            prop_assert_eq!(parser.last_event_id(), id.as_str());
            last_id = id;
        }
    }
}
