//! Unit tests of the pipeline's parts; names say the rule.

use super::grapheme::MAX_HELD_CLUSTER_CHARS;
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
fn a_conjunct_stays_whole_with_a_mark_after_its_virama() {
    // GB9c lets Extend marks sit between the virama and the next consonant:
    // ष + ् + 🏽 + क is one cluster, so the flush before क holds from ष.
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText));
    p.push_text("a\u{937}\u{94D}\u{1F3FD}\u{915}");
    assert_eq!(p.flush().map(|f| f.delta.to_owned()), Some("a".to_owned()));
    p.push_text(" ");
    assert_eq!(p.flush().map(|f| f.delta.to_owned()), Some("\u{937}\u{94D}\u{1F3FD}\u{915}".to_owned()));
}

#[test]
fn release_shows_the_held_cluster_after_a_pause() {
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::OpenAiChat));
    p.push_event("message", r#"{"choices":[{"delta":{"reasoning_content":"hm👍","content":"a👍"}}]}"#)
        .unwrap();
    let f = p.flush().expect("a flush");
    assert_eq!((f.delta, f.reasoning.map(|r| r.delta)), ("a", Some("hm")));
    assert!(p.is_holding());
    let f = p.release().expect("the held clusters");
    assert_eq!((f.delta, f.text), ("👍", "a👍"));
    assert_eq!(f.reasoning.map(|r| (r.delta, r.text)), Some(("👍", "hm👍")));
    assert!(f.changed.reasoning);
    assert!(!p.is_holding());
    assert!(p.release().is_none(), "nothing held, nothing new");
    // What extends the cluster later still arrives, in the next delta.
    p.push_event("message", r#"{"choices":[{"delta":{"content":"🏽"}}]}"#).unwrap();
    assert!(p.flush().is_none() && p.is_holding());
    assert_eq!(p.release().map(|f| f.delta.to_owned()), Some("🏽".to_owned()));
    assert_eq!(p.finish().text, "a👍🏽");
    assert!(!p.is_holding() && p.release().is_none());
}

#[test]
fn an_endless_cluster_is_held_only_up_to_the_cap() {
    // A hostile run of combining marks (or of ZWJ pictographs) is one cluster by
    // UAX #29; holding it whole would hold the answer without end.
    for unit in ["\u{301}", "\u{200D}👩"] {
        let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText));
        p.push_text("e");
        let (mut pushed, mut shown) = (1, 0);
        for _ in 0..1_000 {
            p.push_text(unit);
            pushed += unit.len();
            shown += p.flush().map_or(0, |f| f.delta.len());
            assert!(pushed - shown <= 4 * MAX_HELD_CLUSTER_CHARS, "{} bytes held", pushed - shown);
        }
        assert!(shown > 0);
        assert_eq!(p.finish().text.len(), pushed);
    }
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

#[test]
fn a_flush_names_the_code_fence_its_display_ends_inside() {
    for mode in [Markdown::Hold, Markdown::Heal] {
        let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText).markdown(mode));
        let fence_after = |p: &mut Pipeline, text: &str| {
            p.push_text(text);
            p.flush().map(|f| f.code_fence.map(str::to_owned))
        };
        assert_eq!(fence_after(&mut p, "Try:\n"), Some(None));
        // The opening line is not complete: it may still be prose.
        assert_eq!(fence_after(&mut p, "``` rust"), Some(None));
        assert_eq!(
            fence_after(&mut p, "  title=\"x\"  \nfn main"),
            Some(Some("rust  title=\"x\"".to_owned()))
        );
        assert_eq!(fence_after(&mut p, "() {}\n``"), Some(Some("rust  title=\"x\"".to_owned())));
        assert_eq!(fence_after(&mut p, "`\nDone "), Some(None), "{mode:?}: closed");
        assert_eq!(fence_after(&mut p, "now.\n> ~~~\n> a"), Some(Some(String::new())), "{mode:?}: no info");
        assert_eq!(fence_after(&mut p, "\nb "), Some(None), "{mode:?}: the quote, and its fence, ended");
        p.push_text("\n```js\nlet");
        assert_eq!(p.finish().code_fence, None, "not on the last flush");
    }
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText));
    p.push_text("```js\nlet x\n");
    assert_eq!(p.flush().map(|f| f.code_fence), Some(None), "markdown off: no fences");
}

fn heal(s: &str) -> String {
    view(s, Markdown::Heal, Math::Off)
}

fn hold(s: &str) -> String {
    view(s, Markdown::Hold, Math::Off)
}

#[test]
fn heal_closes_emphasis_and_code() {
    assert_eq!(heal("Some **bo"), "Some **bo**");
    assert_eq!(heal("Some **bold "), "Some **bold**");
    assert_eq!(heal("*a **b"), "*a **b***");
    assert_eq!(heal("use `foo"), "use `foo`");
    assert_eq!(heal("use ``a ` b"), "use ``a ` b``");
}

#[test]
fn heal_pads_a_code_span_that_starts_with_a_space_so_the_space_is_stripped() {
    // Spec 6.1: one space goes from each end when both ends have one, and a
    // line ending counts as a space; ``foo`` as the content " foo" would show
    // a space the final `` foo ` bar `` does not.
    assert_eq!(heal("the `` foo"), "the `` foo ``");
    assert_eq!(heal("the `` foo "), "the `` foo ``");
    assert_eq!(heal("the ``\nfoo"), "the ``\nfoo ``");
    assert_eq!(heal("the `foo"), "the `foo`");
    // Spaces alone would show one the final text does not have yet.
    assert_eq!(heal("the `` "), "the ");
    assert_eq!(heal("*a `` \n"), "*a*");
}

#[test]
fn math_is_held_or_hidden_per_the_math_option_until_it_closes() {
    for (math, dollar, latex) in [
        (Math::Off, false, false),
        (Math::Dollar, true, false),
        (Math::Latex, false, true),
        (Math::Both, true, true),
    ] {
        let cases: [(&str, &str, bool); 5] = [
            ("so $x^2", "so ", dollar),
            ("$$\\frac{a", "", dollar),
            ("so \\(x^2", "so ", latex),
            ("so \\[x^2 \\) still", "so ", latex),
            ("a \\(x\\) b", "a \\(x\\) b", false),
        ];
        for (text, open, is_math) in cases {
            let (held, healed) = (view(text, Markdown::Hold, math), view(text, Markdown::Heal, math));
            let want = if is_math { open } else { text };
            assert_eq!((held.as_str(), healed.as_str()), (want, want), "{math:?}: {text:?}");
        }
        // Closed math shows whole with any option.
        assert_eq!(view("so $x^2$ and", Markdown::Heal, math), "so $x^2$ and");
    }
    // An escaped backslash before `(` is no opener.
    assert_eq!(view("a \\\\(b", Markdown::Hold, Math::Latex), "a \\\\(b");
}

#[test]
fn heal_hides_open_tildes_which_renderers_disagree_on() {
    assert_eq!(heal("a ~b"), "a ");
    // `~~` that never closes is common in prose (`~~ tildes`).
    assert_eq!(heal("a ~~gone"), "a ");
    assert_eq!(heal("a ~~gone~~ b"), "a ~~gone~~ b");
    // Three tildes are text in GFM but strike in markdown-it: held until a run
    // of the same length closes them.
    assert_eq!(hold("This will ~~~not"), "This will ");
    assert_eq!(heal("This will ~~~not"), "This will ");
    assert_eq!(hold("This will ~~~not~~~ strike"), "This will ~~~not~~~ strike");
}

#[test]
fn heal_hides_what_a_close_would_guess_wrong_as_often_as_right() {
    // Globs and pointers: an opener before punctuation.
    assert_eq!(heal("match all *.js and"), "match all ");
    // Subscripts of formulas written as text: an opener right after `)`, `]`, `}`.
    assert_eq!(heal("so \\sigma(z)_i = e"), "so \\sigma(z)");
    assert_eq!(heal("a (_real_) em and (_open"), "a (_real_) em and (_open_");
    // A bracket that may stay prose, and a reference whose label may be defined later.
    assert_eq!(heal("see [1"), "see ");
    assert_eq!(heal("a[i][j"), "a");
    // A code span in the last cell of a table row: a `|` may end the cell first.
    assert_eq!(heal("| a | b |\n|---|---|\n| `x"), "| a | b |\n|---|---|\n");
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
    // An open `[` may stay prose (`[1]`, `[^1]`, `[like this]`): it waits for
    // its `]` and what follows.
    assert_eq!(heal("see [the do"), "see ");
    assert_eq!(heal("see [**the do"), "see ");
    assert_eq!(heal("see [**the docs**](https://exa"), "see [**the docs**]()");
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

// The one-pass JSON extraction (`json::lookup_checked`) and the pipeline's
// unescape-in-place path.

fn openai(data: &str) -> Result<Extracted<'_>, DeltaError> {
    Extractor::OpenAiChat.extract("message", data)
}

fn chat(content_json: &str) -> String {
    format!(r#"{{"id":"c","choices":[{{"index":0,"delta":{{"content":{content_json}}}}}]}}"#)
}

/// The text a pipeline builds from these events, or the first error.
fn pipeline_text(x: Extractor, events: &[&str]) -> Result<String, DeltaError> {
    let mut p = Pipeline::new(PipelineOptions::new(x));
    for e in events {
        p.push_event("message", e)?;
    }
    Ok(p.finish().text.to_owned())
}

fn stream_error_of(data: &str) -> bool {
    matches!(openai(data), Err(DeltaError::Stream { .. }))
}

fn invalid_json(data: &str) -> bool {
    matches!(openai(data), Err(DeltaError::InvalidJson { .. }))
}

#[test]
fn every_json_escape_is_undone_in_extract_and_in_the_pipeline() {
    let data = chat(r#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \u4F60 \ud83d\ude00 end""#);
    let want = "q\" b\\ s/ \u{8}\u{c}\n\r\t é 你 😀 end";
    assert_eq!(openai(&data), Ok(text(want)));
    assert_eq!(pipeline_text(Extractor::OpenAiChat, &[&data]).as_deref(), Ok(want));
}

#[test]
fn text_without_escapes_is_borrowed_from_the_event() {
    let data = chat(r#""plain café 😀""#);
    match openai(&data) {
        Ok(Extracted::Text(Piece { text: std::borrow::Cow::Borrowed(t), .. })) => {
            assert_eq!(t, "plain café 😀")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn lone_surrogate_escapes_become_replacement_characters_unless_a_later_event_completes_them() {
    let x = || Extractor::OpenAiChat;
    // Inside one string, a lone half of either kind is U+FFFD.
    assert_eq!(
        pipeline_text(x(), &[&chat(r#""a\ud800b\udc00c\ude00\ud83d""#), &chat(r#""z""#)]).as_deref(),
        Ok("a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}z")
    );
    // A low half that starts an event with no high half before it.
    assert_eq!(pipeline_text(x(), &[&chat(r#""\udc00x""#)]).as_deref(), Ok("\u{FFFD}x"));
    // A pair split across events, with more escapes around it.
    assert_eq!(
        pipeline_text(x(), &[&chat(r#""\"a\ud83d""#), &chat(r#""\ude00\n""#)]).as_deref(),
        Ok("\"a😀\n")
    );
    // An empty delta between the halves does not break the pair.
    assert_eq!(
        pipeline_text(x(), &[&chat(r#""\ud83d""#), &chat(r#""""#), &chat(r#""\ude00""#)]).as_deref(),
        Ok("😀")
    );
    // A high half that never gets its low half: the next text is plain.
    assert_eq!(pipeline_text(x(), &[&chat(r#""\ud83d""#), &chat(r#""b""#)]).as_deref(), Ok("\u{FFFD}b"));
}

#[test]
fn a_bad_escape_adds_nothing_and_keeps_a_pending_surrogate_half() {
    let mut p = Pipeline::new(PipelineOptions::new(Extractor::OpenAiChat));
    p.push_event("message", &chat(r#""a\ud83d""#)).unwrap();
    let bad = chat(r#""b\n\x""#);
    let at = bad.find(r"\x").unwrap();
    assert_eq!(p.push_event("message", &bad), Err(DeltaError::InvalidJson { at }));
    assert_eq!(p.text(), "a");
    p.push_event("message", &chat(r#""\ude00c""#)).unwrap();
    assert_eq!(p.finish().text, "a😀c");
}

#[test]
fn members_may_come_in_any_order() {
    for data in [
        r#"{"choices":[{"delta":{"content":"x","role":"assistant"}}],"id":"c"}"#,
        r#"{"id":"c","model":"m","created":1,"choices":[{"finish_reason":null,"delta":{"role":"assistant","content":"x"},"index":0}]}"#,
        r#"{"object":"chat.completion.chunk","usage":null,"system_fingerprint":"fp","choices":[{"logprobs":null,"delta":{"content":"x"}}]}"#,
    ] {
        assert_eq!(openai(data), Ok(text("x")), "{data}");
    }
}

#[test]
fn no_text_when_the_path_is_missing_null_or_not_a_string() {
    for data in [
        r#"{"choices":[{"delta":{"content":null}}]}"#,
        r#"{"choices":[{"delta":{"content":12}}]}"#,
        r#"{"choices":[{"delta":{"content":{"text":"x"}}}]}"#,
        r#"{"choices":[{"delta":{"content":["x"]}}]}"#,
        r#"{"choices":[{"delta":{}}]}"#,
        r#"{"choices":[{"delta":null}]}"#,
        r#"{"choices":[{}]}"#,
        r#"{"choices":[null,{"delta":{"content":"second"}}]}"#,
        r#"{"choices":[]}"#,
        r#"{"choices":null}"#,
        r#"{"choices":"x"}"#,
        r#"{"id":"c","usage":{"total_tokens":3}}"#,
        r#"{}"#,
        r#"[{"delta":{"content":"x"}}]"#,
        r#""text""#,
        "42",
    ] {
        assert_eq!(openai(data), Ok(Extracted::Nothing), "{data}");
    }
}

#[test]
fn values_before_and_after_the_path_are_skipped_whatever_their_strings_hold() {
    let data = r#"{"meta":{"a":["}","]","\"{[",{"b":"}}]]"}],"c":{"d":[[],{}]}},"s":"\\\"","choices":[{"extra":{"x":["{\"content\":\"no\"}"]},"delta":{"tool":{"content":"no"},"content":"yes","after":[1,{"2":"}"}]}},{"delta":{"content":"other"}}],"tail":{"error":"nested, so not an error"}}"#;
    assert_eq!(openai(data), Ok(text("yes")));
}

#[test]
fn whitespace_may_surround_every_token() {
    let data = " \t\r\n{ \"id\" : \"c\" ,\n \"choices\"\t:\r[ { \"delta\" :\n{ \"content\" : \"x\" } } , { } ] , \"error\" : null }\n ";
    assert_eq!(openai(data), Ok(text("x")));
}

#[test]
fn a_top_level_error_member_is_an_error_wherever_it_is() {
    let before =
        r#"{"error":{"message":"boom","type":"server_error"},"choices":[{"delta":{"content":"x"}}]}"#;
    let after = r#"{"choices":[{"delta":{"content":"x"}}],"error":{"message":"boom","type":"server_error"}}"#;
    let err = DeltaError::Stream { kind: Some("server_error".into()), message: "boom".into() };
    assert_eq!(openai(before), Err(err.clone()));
    assert_eq!(openai(after), Err(err.clone()));
    assert_eq!(pipeline_text(Extractor::OpenAiChat, &[after]), Err(err));
    // Escaped, the name is still `error`.
    assert!(stream_error_of(r#"{"choices":[],"\u0065rror":"x"}"#));
    // After an error member, the rest is not read.
    assert!(stream_error_of(r#"{"error":"x", oops"#));
    // The same for a JSON pointer.
    let x = Extractor::pointer("/choices/0/delta/content").unwrap();
    assert!(matches!(x.extract("message", after), Err(DeltaError::Stream { .. })));
}

#[test]
fn error_anywhere_but_the_top_level_is_not_an_error() {
    for (data, want) in [
        (r#"{"choices":[{"delta":{"content":"error"}}]}"#, text("error")),
        (r#"{"choices":[{"delta":{"content":"{\"error\":\"x\"}"}}]}"#, text(r#"{"error":"x"}"#)),
        (r#"{"choices":[{"error":"x","delta":{"content":"y"}}]}"#, text("y")),
        (r#"{"meta":{"error":"x"},"choices":[]}"#, Extracted::Nothing),
        (r#"{"errors":"x","choices":[]}"#, Extracted::Nothing),
        (r#"{"error":null,"choices":[{"delta":{"content":"y"}}]}"#, text("y")),
    ] {
        assert_eq!(openai(data), Ok(want), "{data}");
    }
}

#[test]
fn truncated_json_is_invalid_json_at_every_cut() {
    let data = r#"{"id":"c\"1","n":-1.5e3,"t":true,"choices":[{"index":0,"delta":{"content":"a \"b\" é😀","x":[{}]},"f":null}],"u":{"a":[1,"}"]}}"#;
    assert_eq!(openai(data), Ok(text("a \"b\" é😀")));
    for (cut, _) in data.char_indices() {
        assert!(invalid_json(&data[..cut]), "cut at {cut}: {:?}", openai(&data[..cut]));
    }
}

#[test]
fn malformed_structure_around_the_path_is_invalid_json() {
    for bad in [
        r#"{"choices":[{"delta":{"content":"x"}}]} trailing"#,
        r#"{"choices":[{"delta":{"content":"x"}}]}}"#,
        r#"{"choices":[{"delta":{"content":"x"}}],}"#,
        r#"{"choices":[{"delta":{"content":"x"}}] "id":"c"}"#,
        r#"{"choices":[{"delta":{"content":"x"}}],"a":[1}}"#,
        r#"{"choices":[{"delta":{"content":"x"}}],"a":{"b":"}"#,
        r#"{"a" 1,"choices":[]}"#,
        r#"{a:1}"#,
        r#"{"error":n"#,
        r#"{"error":nul}"#,
        r#"{"a":tru,"choices":[]}"#,
        r#"{"a":nulls,"choices":[]}"#,
        r#"{"choices":[{"delta":{"content":"x	tab"}}]}"#,
        r#"{"choices":[{"delta":{"content":"bad \u12G4"}}]}"#,
        r#"{"choices":[{"delta":{"content":"bad \q"}}]}"#,
        "",
        "   ",
    ] {
        assert!(invalid_json(bad), "{bad:?}: {:?}", openai(bad));
    }
}

#[test]
fn an_invalid_escape_is_reported_at_its_backslash() {
    let data = chat(r#""ok \u00e9 then \u12""#);
    let at = data.find(r"\u12").unwrap();
    assert_eq!(openai(&data), Err(DeltaError::InvalidJson { at }));
    assert_eq!(pipeline_text(Extractor::OpenAiChat, &[&data]), Err(DeltaError::InvalidJson { at }));
}

#[test]
fn nesting_is_limited_but_ordinary_depth_is_fine() {
    let ok = format!(
        r#"{{"a":{}{},"choices":[{{"delta":{{"content":"x"}}}}]}}"#,
        "[".repeat(100),
        "]".repeat(100)
    );
    assert_eq!(openai(&ok), Ok(text("x")));
    let deep = format!(r#"{{"a":{}{},"choices":[]}}"#, "[".repeat(200), "]".repeat(200));
    assert!(invalid_json(&deep));
    let mismatched = r#"{"a":[{]},"choices":[]}"#;
    assert!(invalid_json(mismatched));
}

#[test]
fn an_index_step_matches_an_array_element_or_a_member_named_by_its_decimal_form() {
    let x = Extractor::pointer("/t/10").unwrap();
    let array = format!(r#"{{"t":[{}"ten"]}}"#, "0,".repeat(10));
    assert_eq!(x.extract("message", &array), Ok(text("ten")));
    assert_eq!(x.extract("message", r#"{"t":{"010":"no","10":"yes"}}"#), Ok(text("yes")));
    assert_eq!(x.extract("message", r#"{"t":{"1\u0030":"escaped"}}"#), Ok(text("escaped")));
    assert_eq!(x.extract("message", r#"{"t":[1,2]}"#), Ok(Extracted::Nothing));
    let x = Extractor::pointer("/0").unwrap();
    assert_eq!(x.extract("message", r#"{"00":"no","0":"yes"}"#), Ok(text("yes")));
}

#[test]
fn the_first_of_duplicate_members_is_the_one_read() {
    let data = r#"{"choices":[{"delta":{"content":"first","content":"second"}}],"choices":[]}"#;
    assert_eq!(openai(data), Ok(text("first")));
}

#[test]
fn the_done_marker_is_recognised_with_surrounding_whitespace_only() {
    assert_eq!(openai(" [DONE]\n"), Ok(Extracted::Done));
    assert!(invalid_json("[DONE] x"));
}

#[test]
fn utf16_len_counts_utf16_code_units() {
    for s in
        ["", "abc", "é", "你好", "😀", "a😀é\u{10FFFF}\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}", "👩‍💻🇫🇷"]
    {
        assert_eq!(utf16_len(s), s.encode_utf16().count(), "{s:?}");
    }
}

// The extractors against serde_json on generated documents: tests/extract_properties.rs.

#[test]
fn a_setext_underline_after_a_line_of_only_a_pipe_does_not_panic() {
    // Found by tests/delta_properties.rs: " |\n-a" in hold mode sliced begin > end.
    for mode in [Markdown::Hold, Markdown::Heal] {
        let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText).markdown(mode));
        p.push_text(" |\n-a");
        let f = p.flush().expect("a flush");
        assert!(" |\n-a".starts_with(f.text), "{:?}", f.text);
        let f = p.finish();
        assert_eq!(f.display(), " |\n-a");
    }
}

#[test]
fn raw_html_entities_and_escapes_wait_until_the_next_characters_decide() {
    assert_eq!(hold("a <span class=\"x>"), "a ");
    assert_eq!(hold("a <span class=\"x\">b"), "a <span class=\"x\">b");
    assert_eq!(hold("foo <![CDATA[>"), "foo ");
    assert_eq!(hold("a <b and"), "a ");
    assert_eq!(hold("x < y and"), "x < y and");
    // A line starting with `<` may be an HTML block (kind 7) only as a whole.
    assert_eq!(hold("<div"), "");
    assert_eq!(hold("<a/><b2\n"), "");
    assert_eq!(hold("x &am"), "x ");
    assert_eq!(hold("x &amp; y"), "x &amp; y");
    // A hard break if the paragraph goes on, a backslash if it ends.
    assert_eq!(hold("line\\\n"), "line");
    assert_eq!(hold("line\\\nnext"), "line\\\nnext");
    assert_eq!(heal("see ![al"), "see ");
}

#[test]
fn a_link_definition_is_held_until_the_next_line_shows_it_complete() {
    assert_eq!(hold("[a]:\n"), "");
    assert_eq!(hold("[a]: /url\n  \"ti"), "");
    assert_eq!(hold("[a]: /url\n\nNext"), "[a]: /url\n\nNext");
}

#[test]
fn a_definition_whose_label_spans_lines_is_held_until_the_label_closes() {
    // Spec examples 208 and 541: nothing shows until the label closes on `]:`.
    assert_eq!(hold("[\nfoo"), "");
    assert_eq!(hold("[Foo\n  bar]"), "");
    assert_eq!(hold("[Foo\n  bar]:"), "");
    assert_eq!(hold("[Foo\n  bar]: /url\n"), "");
    assert_eq!(hold("[\nfoo\n]: /url\nbar"), "[\nfoo\n]: /url\nbar");
    // The label is defined from then on.
    let doc = "[Foo\n  bar]: /url\n\nsee [Baz][Foo bar] ";
    assert_eq!(hold(doc), doc);
    // A label that closes on anything else is the paragraph it looks like.
    assert_eq!(hold("[a\nb] c"), "[a\nb] c");
    assert_eq!(hold("[a\nb](/u) c"), "[a\nb](/u) c");
    // More than 999 characters, and it is no label.
    let long = format!("[{}\nb]: c", "a".repeat(998));
    assert_eq!(hold(&long), long);
    let short = format!("[{}\nb]: c", "a".repeat(997));
    assert_eq!(hold(&short), "");
    // An escaped bracket is part of the label.
    assert_eq!(hold("[a\\]\nb"), "");
}

#[test]
fn a_definition_is_held_while_its_destination_or_its_title_is_still_to_come() {
    // Spec example 196: a title over several lines.
    assert_eq!(hold("[foo]: /url '\ntitle\nline1"), "");
    assert_eq!(hold("[foo]: /url '\ntitle\n'\n\nsee [foo] "), "[foo]: /url '\ntitle\n'\n\nsee [foo] ");
    // The destination on the next line.
    assert_eq!(hold("[foo]:\n/url"), "");
    assert_eq!(hold("[foo]:\n/url\n\nsee [foo] "), "[foo]:\n/url\n\nsee [foo] ");
    // A closed title: the next line starts a paragraph.
    assert_eq!(hold("[foo]: /url 'title'\nbar"), "[foo]: /url 'title'\nbar");
}

#[test]
fn a_reference_matches_its_definition_whatever_the_case_of_its_label() {
    // A full reference at the end is shown once its label is defined, and held
    // whole while it may still become one.
    for label in ["ΑΓΩ", "Straße", "STRASSE"] {
        let doc = format!("[αγω]: /a\n[strasse]: /b\n\nsee [x][{label}]");
        assert_eq!(hold(&doc), doc, "{label}");
    }
    let undefined = "[αγω]: /a\n\nsee [x][ΑΓΩΣ]";
    assert_eq!(hold(undefined), "[αγω]: /a\n\nsee ");
}
