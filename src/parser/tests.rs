//! One test per rule of the spec's parsing algorithm; names say the rule.

use super::*;

fn parse_chunks(chunks: &[&[u8]]) -> Vec<Item> {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    for chunk in chunks {
        parser.feed(chunk, &mut items);
    }
    items
}

fn parse(input: &str) -> Vec<Item> {
    parse_chunks(&[input.as_bytes()])
}

fn event(event: &str, data: &str, id: &str) -> Item {
    Item::Event { event: event.into(), data: data.into(), id: id.into() }
}

fn msg(data: &str) -> Item {
    event("message", data, "")
}

#[test]
fn a_blank_line_dispatches_the_data_as_a_message() {
    assert_eq!(parse("data: hello\n\n"), [msg("hello")]);
}

#[test]
fn multiple_data_lines_are_joined_with_lf() {
    assert_eq!(parse("data: a\ndata: b\ndata\ndata: c\n\n"), [msg("a\nb\n\nc")]);
}

#[test]
fn only_one_leading_space_of_a_value_is_removed() {
    assert_eq!(parse("data:  two\ndata:none\n\n"), [msg(" two\nnone")]);
}

#[test]
fn a_field_without_a_colon_has_an_empty_value() {
    assert_eq!(parse("data\n\n"), [msg("")]);
    assert_eq!(parse("data\ndata\n\n"), [msg("\n")]);
}

#[test]
fn a_value_keeps_everything_after_the_first_colon() {
    assert_eq!(parse("data: a: b:c\n\n"), [msg("a: b:c")]);
}

#[test]
fn the_event_field_sets_the_type_and_the_last_one_wins() {
    assert_eq!(parse("event: a\nevent: b\ndata: x\n\n"), [event("b", "x", "")]);
}

#[test]
fn the_type_resets_to_message_after_each_dispatch() {
    assert_eq!(parse("event: a\ndata: 1\n\ndata: 2\n\n"), [event("a", "1", ""), msg("2")]);
}

#[test]
fn an_empty_event_field_means_message() {
    assert_eq!(parse("event:\ndata: x\n\n"), [msg("x")]);
}

#[test]
fn lf_crlf_and_cr_all_end_lines() {
    let want = [msg("a\nb"), msg("c")];
    assert_eq!(parse("data: a\ndata: b\n\ndata: c\n\n"), want);
    assert_eq!(parse("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"), want);
    assert_eq!(parse("data: a\rdata: b\r\rdata: c\r\r"), want);
    assert_eq!(parse("data: a\rdata: b\n\r\ndata: c\r\n\n"), want);
}

#[test]
fn a_cr_ending_one_chunk_and_an_lf_starting_the_next_are_one_line_end() {
    assert_eq!(parse_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]), [msg("a\nb")]);
}

#[test]
fn a_blank_cr_line_ending_a_chunk_dispatches_the_pending_event_exactly_once() {
    assert_eq!(parse_chunks(&[b"data: a\r\r", b"\ndata: b\r\r"]), [msg("a"), msg("b")]);
}

#[test]
fn a_cr_ending_a_chunk_and_an_lf_after_empty_chunks_are_still_one_line_end() {
    // CR ends chunk 1; empty chunks follow; the LF that comes next still completes
    // the CRLF. Were it a line end of its own, it would be a blank line and
    // dispatch "a" alone, before "b".
    assert_eq!(parse_chunks(&[b"data: a\r", b"", b"\ndata: b\n\n"]), [msg("a\nb")]);
    assert_eq!(parse_chunks(&[b"data: a\r", b"", b"", b"\n", b"data: b\r\n\r\n"]), [msg("a\nb")]);
}

#[test]
fn comments_are_ignored_and_reported_without_one_leading_space() {
    assert_eq!(
        parse(": hi\n:\n:  two\ndata: x\n\n"),
        [Item::Comment("hi".into()), Item::Comment("".into()), Item::Comment(" two".into()), msg("x")]
    );
}

#[test]
fn a_comment_does_not_end_an_event() {
    assert_eq!(parse("data: a\n: keepalive\ndata: b\n\n"), [Item::Comment("keepalive".into()), msg("a\nb")]);
}

#[test]
fn the_id_is_sticky_across_events_without_an_id() {
    assert_eq!(
        parse("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"),
        [event("message", "a", "1"), event("message", "b", "1"), event("message", "c", "2")]
    );
}

#[test]
fn an_empty_id_field_clears_the_last_event_id() {
    assert_eq!(parse("id: 1\ndata: a\n\nid\ndata: b\n\n"), [event("message", "a", "1"), msg("b")]);
}

#[test]
fn an_id_containing_nul_is_ignored() {
    assert_eq!(
        parse("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"),
        [event("message", "a", "1"), event("message", "b", "1")]
    );
}

#[test]
fn a_block_without_data_still_updates_the_last_event_id() {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    parser.feed(b"id: 5\n\n", &mut items);
    assert!(items.is_empty());
    assert_eq!(parser.last_event_id(), "5");
    parser.feed(b"data: x\n\n", &mut items);
    assert_eq!(items, [event("message", "x", "5")]);
}

#[test]
fn an_event_type_without_data_is_forgotten_at_the_blank_line() {
    assert_eq!(parse("event: a\n\ndata: x\n\n"), [msg("x")]);
}

#[test]
fn an_id_is_not_the_last_event_id_until_its_block_is_dispatched() {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    parser.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n", &mut items);
    assert_eq!(parser.last_event_id(), "1");
}

#[test]
fn retry_with_only_ascii_digits_sets_the_reconnection_time() {
    assert_eq!(parse("retry: 3000\n"), [Item::Retry(3000)]);
    assert_eq!(parse("retry: 0\n"), [Item::Retry(0)]);
}

#[test]
fn retry_with_anything_but_digits_is_ignored() {
    for bad in ["retry: 1.5\n", "retry: -1\n", "retry: 10 \n", "retry:  10\n", "retry\n", "retry: ١\n"] {
        let items = parse(bad);
        assert!(
            matches!(items.as_slice(), [Item::Error(ParseError::InvalidRetry { .. })]),
            "{bad:?}: {items:?}"
        );
    }
}

#[test]
fn a_huge_retry_saturates_instead_of_overflowing() {
    assert_eq!(parse("retry: 99999999999999999999999999\n"), [Item::Retry(u64::MAX)]);
}

#[test]
fn retry_does_not_wait_for_a_blank_line_and_does_not_dispatch() {
    assert_eq!(parse("data: a\nretry: 5\n\n"), [Item::Retry(5), msg("a")]);
}

#[test]
fn unknown_fields_are_ignored_and_reported() {
    assert_eq!(
        parse("foo: bar\nData: x\ndata: y\n\n"),
        [
            Item::Error(ParseError::UnknownField { field: "foo".into(), value: "bar".into() }),
            Item::Error(ParseError::UnknownField { field: "Data".into(), value: "x".into() }),
            msg("y"),
        ]
    );
}

#[test]
fn an_unterminated_block_at_the_end_is_discarded() {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    parser.feed(b"data: a\n\nid: 9\ndata: b\n", &mut items);
    parser.reset();
    parser.feed(b"\n", &mut items);
    assert_eq!(items, [msg("a")]);
    assert_eq!(parser.last_event_id(), "");
}

#[test]
fn consume_dispatches_an_unterminated_block_and_line() {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    parser.feed(b"id: 3\ndata: a\ndata: b", &mut items);
    parser.consume(&mut items);
    assert_eq!(items, [event("message", "a\nb", "3")]);
}

#[test]
fn one_leading_bom_is_stripped_but_not_a_second() {
    assert_eq!(parse("\u{feff}data: a\n\n"), [msg("a")]);
    let items = parse("\u{feff}\u{feff}data: a\n\ndata: b\n\n");
    assert!(
        matches!(&items[0], Item::Error(ParseError::UnknownField { field, .. }) if field == "\u{feff}data")
    );
    assert_eq!(items[1..], [msg("b")]);
}

#[test]
fn a_bom_split_across_chunks_is_stripped() {
    assert_eq!(parse_chunks(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"]), [msg("a")]);
    assert_eq!(parse_chunks(&[b"\xEF\xBB", b"", b"\xBF", b"data: a\n\n"]), [msg("a")]);
}

#[test]
fn a_bom_later_in_the_stream_is_data() {
    assert_eq!(parse("data: \u{feff}a\n\n"), [msg("\u{feff}a")]);
}

#[test]
fn the_start_of_a_bom_that_is_not_a_bom_is_decoded_as_input() {
    assert_eq!(
        parse_chunks(&[b"\xEF\xBB", b"data: a\n\n"]),
        [Item::Error(ParseError::UnknownField { field: "\u{fffd}data".into(), value: "a".into() }),]
    );
}

#[test]
fn multi_byte_characters_split_across_chunks_are_decoded_whole() {
    let input = "data: héllo 世界 🎉\n\n".as_bytes();
    for split in 0..input.len() {
        let (a, b) = input.split_at(split);
        assert_eq!(parse_chunks(&[a, b]), [msg("héllo 世界 🎉")], "split at {split}");
    }
}

#[test]
fn invalid_utf8_becomes_one_replacement_character_per_maximal_subpart() {
    assert_eq!(
        parse_chunks(&[b"data: a\xFFb\xE2\x82c\xF0\x9F\x8E\n\n"]),
        [msg("a\u{fffd}b\u{fffd}c\u{fffd}")]
    );
    assert_eq!(parse_chunks(&[b"data: \xE2", b"\x82", b"\n\n"]), [msg("\u{fffd}")]);
}

#[test]
fn a_nul_in_data_is_kept() {
    assert_eq!(parse("data: a\0b\n\n"), [msg("a\0b")]);
}

#[test]
fn reset_keeps_the_last_event_id_for_the_next_stream() {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    parser.feed(b"id: 4\ndata: a\n\n", &mut items);
    parser.reset();
    parser.feed(b"\xEF\xBB\xBFdata: b\n\n", &mut items);
    assert_eq!(items, [event("message", "a", "4"), event("message", "b", "4")]);
}

fn limited(limit: usize) -> Parser {
    Parser::with_options(ParserOptions::default().max_buffer_size(Some(limit)))
}

#[test]
fn a_line_longer_than_the_limit_is_an_error_and_drops_its_event() {
    let mut parser = limited(16);
    let mut items = Vec::new();
    parser.feed(b"id: 1\ndata: this line is far too long\ndata: ok\n\ndata: next\n\n", &mut items);
    assert_eq!(items, [Item::Error(ParseError::MaxBufferSize { limit: 16 }), msg("next")]);
    assert_eq!(parser.last_event_id(), "", "the dropped block's id was not dispatched");
}

#[test]
fn an_endless_line_is_an_error_once_and_holds_no_memory() {
    let mut parser = limited(1024);
    let mut items = Vec::new();
    parser.feed(b"data: ", &mut items);
    for _ in 0..10_000 {
        parser.feed(&[b'x'; 1000], &mut items);
        assert!(parser.line.capacity() <= 2048);
    }
    parser.feed(b"\n\ndata: after\n\n", &mut items);
    assert_eq!(items, [Item::Error(ParseError::MaxBufferSize { limit: 1024 }), msg("after")]);
}

#[test]
fn many_data_lines_past_the_limit_are_an_error_and_drop_the_event() {
    let mut parser = limited(100);
    let mut items = Vec::new();
    for _ in 0..50 {
        parser.feed(b"data: 0123456789\n", &mut items);
    }
    parser.feed(b"\ndata: fine\n\n", &mut items);
    assert_eq!(items, [Item::Error(ParseError::MaxBufferSize { limit: 100 }), msg("fine")]);
    assert!(parser.data.capacity() <= 200);
}

#[test]
fn an_overlong_comment_drops_only_itself() {
    let mut parser = limited(8);
    let mut items = Vec::new();
    parser.feed(b"data: a\n: a very long comment line\ndata: b\n\n", &mut items);
    assert_eq!(items, [Item::Error(ParseError::MaxBufferSize { limit: 8 }), msg("a\nb")]);
}

#[test]
fn the_limit_does_not_depend_on_how_the_input_is_split() {
    let input = b"data: 0123456789abcdef\n\ndata: short\n\n";
    let whole = {
        let mut p = limited(12);
        let mut items = Vec::new();
        p.feed(input, &mut items);
        items
    };
    for split in 0..input.len() {
        let mut p = limited(12);
        let mut items = Vec::new();
        p.feed(&input[..split], &mut items);
        p.feed(&input[split..], &mut items);
        assert_eq!(items, whole, "split at {split}");
    }
}

#[test]
fn a_long_line_fed_in_small_chunks_is_searched_for_its_end_once() {
    // Rescanning the buffered part of a line at every chunk would search
    // 4 MiB / 1 KiB times half the line: some 8 GB instead of 4 MiB.
    let mut parser = Parser::new();
    let mut items = Vec::new();
    parser.feed(b"data: ", &mut items);
    let chunk = [b'y'; 1024];
    for _ in 0..(4 * 1024) {
        parser.feed(&chunk, &mut items);
    }
    parser.feed(b"\n\n", &mut items);
    let fed = 6 + 4 * 1024 * 1024 + 2;
    assert!(parser.scanned <= fed, "searched {} bytes for line ends in {fed} bytes", parser.scanned);
    match items.as_slice() {
        [Item::Event { data, .. }] => assert_eq!(data.len(), 4 * 1024 * 1024),
        other => panic!("{} items", other.len()),
    }
}

#[test]
fn many_short_events_are_searched_for_line_ends_once() {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    let stream = b"id: 1\r\ndata: ab\r\n\r\n".repeat(1000);
    for chunk in stream.chunks(7) {
        parser.feed(chunk, &mut items);
    }
    assert_eq!(items.len(), 1000);
    assert!(parser.scanned <= stream.len(), "searched {} bytes of {}", parser.scanned, stream.len());
}

/// Records whether each event's own block had an `id:` field.
#[derive(Default)]
struct HasId(Vec<(String, bool)>);

impl Sink for HasId {
    fn on_event(&mut self, e: Event<'_>) {
        self.0.push((e.id.to_owned(), e.has_id));
    }
}

#[test]
fn an_event_says_whether_its_own_block_set_the_id() {
    let mut parser = Parser::new();
    let mut seen = HasId::default();
    // Set; carried over; set again to the same value; a NUL id is ignored, so carried over.
    parser.feed(b"id: 7\ndata: a\n\ndata: b\n\nid: 7\ndata: c\n\nid: x\0y\ndata: d\n\n", &mut seen);
    assert_eq!(seen.0, [("7".into(), true), ("7".into(), false), ("7".into(), true), ("7".into(), false)]);
    // A block without data that sets the ID dispatches nothing, and the next event carries it over.
    parser.feed(b"id: 8\n\ndata: e\n\n", &mut seen);
    assert_eq!(seen.0.last(), Some(&("8".into(), false)));
    // After a reconnect the carried-over ID is not the new block's own.
    parser.reset();
    parser.set_last_event_id("9");
    parser.feed(b"data: f\n\n", &mut seen);
    assert_eq!(seen.0.last(), Some(&("9".into(), false)));
}

#[cfg(not(target_arch = "wasm32"))]
mod limit_properties {
    use super::*;
    use proptest::prelude::*;

    fn stream() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"data: ".to_vec()),
            Just(b"id: ".to_vec()),
            Just(b"event: ".to_vec()),
            Just(b": ".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\xEF\xBB\xBF".to_vec()),
            "[a-z0-9 é]{0,24}".prop_map(String::into_bytes),
        ];
        prop::collection::vec(piece, 0..50).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn the_buffers_never_hold_more_than_the_limit(
            input in stream(), limit in 1usize..32, chunk in 1usize..9
        ) {
            let mut parser = limited(limit);
            let mut items = Vec::new();
            for piece in input.chunks(chunk) {
                parser.feed(piece, &mut items);
                prop_assert!(parser.line.len() <= limit, "line {} > {limit}", parser.line.len());
                prop_assert!(parser.data.len() <= limit, "data {} > {limit}", parser.data.len());
            }
        }
    }
}

#[test]
fn messages_quote_the_text_they_name_and_escape_what_would_break_the_quotes() {
    let field = ParseError::UnknownField { field: "a\"b\\c\td\u{1}é".into(), value: String::new() };
    assert_eq!(field.to_string(), r#"unknown field "a\"b\\c\td\u{1}é""#);
    let retry = ParseError::InvalidRetry { value: "1x".into() };
    assert_eq!(retry.to_string(), r#"invalid retry value "1x": expected ASCII digits"#);
}
