//! Unit tests of the pipeline's parts; names say the rule.

use super::*;

fn extract<'a>(x: &Extractor, event: &str, data: &'a str) -> Result<Extracted<'a>, DeltaError> {
    x.extract(event, data)
}

fn text(s: &str) -> Extracted<'_> {
    Extracted::Text(Piece { text: s.into(), lead_low: None, trail_high: None })
}

#[test]
fn openai_chat_takes_the_content_of_the_first_choice_and_ends_at_done() {
    let x = Extractor::OpenAiChat;
    let data =
        r#"{"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi \"you\" \u00e9\n"}}]}"#;
    assert_eq!(extract(&x, "message", data), Ok(text("Hi \"you\" é\n")));
    assert_eq!(
        extract(&x, "message", r#"{"choices":[{"delta":{"role":"assistant"}}]}"#),
        Ok(Extracted::Nothing)
    );
    assert_eq!(extract(&x, "message", r#"{"choices":[{"delta":{"content":null}}]}"#), Ok(Extracted::Nothing));
    assert_eq!(extract(&x, "message", r#"{"choices":[]}"#), Ok(Extracted::Nothing));
    assert_eq!(extract(&x, "message", "[DONE]"), Ok(Extracted::Done));
}

#[test]
fn openai_responses_takes_output_text_deltas_and_ends_at_completed() {
    let x = Extractor::OpenAiResponses;
    let data = r#"{"type":"response.output_text.delta","item_id":"m","delta":"Hel"}"#;
    assert_eq!(extract(&x, "response.output_text.delta", data), Ok(text("Hel")));
    // Without an `event:` field the type comes from `data.type`.
    assert_eq!(extract(&x, "message", data), Ok(text("Hel")));
    assert_eq!(extract(&x, "response.created", r#"{"type":"response.created"}"#), Ok(Extracted::Nothing));
    assert_eq!(extract(&x, "response.completed", r#"{"type":"response.completed"}"#), Ok(Extracted::Done));
    let failed =
        r#"{"type":"response.failed","response":{"error":{"code":"server_error","message":"boom"}}}"#;
    assert_eq!(
        extract(&x, "response.failed", failed),
        Err(DeltaError::Stream { kind: Some("server_error".into()), message: "boom".into() })
    );
}

#[test]
fn anthropic_takes_text_deltas_only_and_ends_at_message_stop() {
    let x = Extractor::Anthropic;
    let data = r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#;
    assert_eq!(extract(&x, "content_block_delta", data), Ok(text("Hello")));
    let json =
        r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{"}}"#;
    assert_eq!(extract(&x, "content_block_delta", json), Ok(Extracted::Nothing));
    assert_eq!(extract(&x, "ping", r#"{"type": "ping"}"#), Ok(Extracted::Nothing));
    assert_eq!(extract(&x, "message_stop", r#"{"type":"message_stop"}"#), Ok(Extracted::Done));
}

#[test]
fn an_error_in_the_stream_is_an_error_and_never_text() {
    let err = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let want =
        Err(DeltaError::Stream { kind: Some("overloaded_error".into()), message: "Overloaded".into() });
    assert_eq!(extract(&Extractor::Anthropic, "error", err), want);
    for x in [Extractor::OpenAiChat, Extractor::OpenAiResponses, Extractor::pointer("/text").unwrap()] {
        assert_eq!(extract(&x, "message", err), want, "{x:?}");
    }
    let bare = r#"{"error":"rate limited"}"#;
    assert_eq!(
        extract(&Extractor::OpenAiChat, "message", bare),
        Err(DeltaError::Stream { kind: None, message: "rate limited".into() })
    );
    // `"error": null` is not an error.
    assert_eq!(
        extract(&Extractor::OpenAiChat, "message", r#"{"error":null,"choices":[]}"#),
        Ok(Extracted::Nothing)
    );
}

#[test]
fn plain_text_passes_data_through() {
    assert_eq!(extract(&Extractor::PlainText, "message", "{not json"), Ok(text("{not json")));
}

#[test]
fn a_json_pointer_follows_rfc_6901() {
    let x = Extractor::pointer("/a~1b/m~0n/1").unwrap();
    assert_eq!(extract(&x, "message", r#"{"a/b":{"m~n":["x","y"]}}"#), Ok(text("y")));
    let x = Extractor::from_name("/choices/0/delta/content").unwrap();
    assert_eq!(extract(&x, "message", r#"{"choices":[{"delta":{"content":"c"}}]}"#), Ok(text("c")));
    // A numeric token also names an object member.
    let x = Extractor::pointer("/0").unwrap();
    assert_eq!(extract(&x, "message", r#"{"0":"zero"}"#), Ok(text("zero")));
    assert_eq!(Extractor::pointer("no-slash"), None);
    assert_eq!(Extractor::pointer("/bad~2"), None);
}

#[test]
fn escaped_keys_match_their_unescaped_name() {
    let x = Extractor::pointer("/k").unwrap();
    assert_eq!(extract(&x, "message", r#"{"\u006b":"v"}"#), Ok(text("v")));
}

#[test]
fn surrogate_pairs_are_joined_inside_and_across_events() {
    let x = Extractor::pointer("/t").unwrap();
    assert_eq!(extract(&x, "message", r#"{"t":"\ud83d\ude00"}"#), Ok(text("😀")));
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::pointer("/t").unwrap()));
    p.push_event("message", r#"{"t":"a\ud83d"}"#).unwrap();
    p.push_event("message", r#"{"t":"\ude00b"}"#).unwrap();
    assert_eq!(p.finish().text, "a😀b");
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    let x = Extractor::pointer("/t").unwrap();
    assert_eq!(extract(&x, "message", r#"{"t":"a\udc00b\ud800c"}"#), Ok(text("a\u{FFFD}b\u{FFFD}c")));
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::pointer("/t").unwrap()));
    p.push_event("message", r#"{"t":"a\ud83d"}"#).unwrap();
    assert_eq!(p.finish().text, "a\u{FFFD}");
}

#[test]
fn utf16_input_joins_a_pair_split_between_pushes() {
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText));
    let units: Vec<u16> = "x😀y".encode_utf16().collect();
    p.push_utf16(&units[..2]);
    p.push_utf16(&units[2..]);
    let f = p.finish();
    assert_eq!((f.text, f.text_len_utf16), ("x😀y", 4));
}

#[test]
fn malformed_json_is_an_error_not_a_panic() {
    for bad in [
        r#"{"choices":[{"delta":{"content":"\u12"}}]}"#,
        r#"{"choices":["#,
        r#"{"choices" 1}"#,
        "\"",
        r#"{"choices":[{"delta":{"content":"\x"}}]}"#,
    ] {
        assert!(
            matches!(extract(&Extractor::OpenAiChat, "message", bad), Err(DeltaError::InvalidJson { .. })),
            "{bad}"
        );
    }
    let deep = "[".repeat(100_000);
    assert!(extract(&Extractor::pointer("/0/0").unwrap(), "message", &deep).is_err());
    let deep = format!("{{\"a\":{}}}", "[".repeat(100_000));
    assert!(extract(&Extractor::pointer("/b").unwrap(), "message", &deep).is_err());
}

#[test]
fn the_last_grapheme_cluster_is_held_until_more_text_or_the_end() {
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText));
    p.push_text("👍");
    assert!(p.flush().is_none(), "a lone emoji may still get a skin tone");
    p.push_text("🏽 ok");
    assert_eq!(p.flush().map(|f| f.delta.to_owned()), Some("👍🏽 o".to_owned()));
    p.push_text("\u{1F1EB}");
    assert_eq!(p.flush().map(|f| f.delta.to_owned()), Some("k".to_owned()));
    p.push_text("\u{1F1F7}");
    assert!(p.flush().is_none(), "a flag is two regional indicators");
    let f = p.finish();
    assert_eq!((f.delta, f.text, f.done), ("🇫🇷", "👍🏽 ok🇫🇷", true));
}

#[test]
fn finish_flushes_everything_and_later_pushes_are_ignored() {
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText).markdown(Markdown::Hold));
    p.push_text("**unclosed");
    assert_eq!(p.flush().map(|f| f.display()), Some(String::new()));
    let f = p.finish();
    assert_eq!((f.text, f.display().as_str()), ("**unclosed", "**unclosed"));
    p.push_text("more");
    assert!(p.flush().is_none());
    assert_eq!(p.finish().delta, "");
}

#[test]
fn done_events_stop_the_stream() {
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::OpenAiChat));
    assert_eq!(p.push_event("message", "[DONE]"), Ok(Status::Done));
    assert!(p.is_done());
    assert_eq!(p.push_event("message", r#"{"choices":[{"delta":{"content":"late"}}]}"#), Ok(Status::Done));
    assert_eq!(p.finish().text, "");
}

fn heal(s: &str) -> String {
    view(s, Markdown::Heal)
}

fn hold(s: &str) -> String {
    view(s, Markdown::Hold)
}

#[test]
fn heal_closes_emphasis_code_and_strikethrough() {
    assert_eq!(heal("Some **bo"), "Some **bo**");
    assert_eq!(heal("Some **bold "), "Some **bold**");
    assert_eq!(heal("*a **b"), "*a **b***");
    assert_eq!(heal("use `foo"), "use `foo`");
    assert_eq!(heal("use ``a ` b"), "use ``a ` b``");
    assert_eq!(heal("~~gone"), "~~gone~~");
}

#[test]
fn heal_hides_open_math_and_a_single_tilde_which_renderers_disagree_on() {
    assert_eq!(heal("so $x^2"), "so ");
    assert_eq!(heal("$$\\frac{a"), "");
    assert_eq!(heal("a ~b"), "a ");
    assert_eq!(heal("so $x^2$ and"), "so $x^2$ and");
}

#[test]
fn hold_cuts_before_what_is_open() {
    assert_eq!(hold("Some **bo"), "Some ");
    assert_eq!(hold("Some **bold** and"), "Some **bold** and");
    assert_eq!(hold("a `code"), "a ");
    assert_eq!(hold("x \\"), "x ");
}

#[test]
fn markers_inside_code_are_never_healed() {
    assert_eq!(heal("`**x"), "`**x`");
    assert_eq!(heal("```\n**x"), "```\n**x");
    assert_eq!(heal("~~~~md\n```\n**a"), "~~~~md\n```\n**a");
}

#[test]
fn links_show_their_text_while_the_url_arrives_and_images_wait() {
    assert_eq!(heal("see [the docs](https://exa"), "see [the docs]()");
    assert_eq!(heal("see [the do"), "see [the do]()");
    assert_eq!(heal("see [**the do"), "see [**the do**]()");
    assert_eq!(heal("see ![alt](http://x"), "see ");
    assert_eq!(heal("see <https://exa"), "see ");
    assert_eq!(hold("see [the docs](https://example.com) now"), "see [the docs](https://example.com) now");
}

#[test]
fn block_markers_that_arrive_alone_are_held() {
    assert_eq!(heal("Intro\n1"), "Intro\n");
    assert_eq!(heal("Intro\n1."), "Intro\n");
    assert_eq!(heal("Intro\n1. It"), "Intro\n1. It");
    assert_eq!(heal("Para\n--"), "Para\n");
    assert_eq!(heal("Para\n=="), "Para\n");
    assert_eq!(heal("# Ti"), "# Ti");
    assert_eq!(heal("#"), "");
    assert_eq!(heal("```ru"), "");
    assert_eq!(heal("```rust\nfn"), "```rust\nfn");
    assert_eq!(heal("```rust\nfn\n``"), "```rust\nfn\n");
}

#[test]
fn a_table_header_waits_for_its_delimiter_row() {
    assert_eq!(heal("| a | b |"), "");
    assert_eq!(heal("| a | b |\n|--"), "");
    assert_eq!(heal("| a | b |\n|---|---|\n"), "| a | b |\n|---|---|\n");
    assert_eq!(heal("| a | b |\n|---|---|\n| 1 | **x"), "| a | b |\n|---|---|\n| 1 | **x**");
}

#[test]
fn stable_len_covers_closed_blocks_only() {
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText).markdown(Markdown::Heal));
    p.push_text("# Title\n\nFirst **para**.\n\nSecond");
    let f = p.flush().unwrap();
    assert_eq!(&f.text[..f.stable_len], "# Title\n\nFirst **para**.\n\n");
    assert_eq!(f.display_tail, "Secon");
    p.push_text(" one\n\n- a\n\n- b\n\nAfter");
    let f = p.flush().unwrap();
    assert!(f.text[..f.stable_len].ends_with("- b\n\n"), "a list is final once a later block starts");
}
