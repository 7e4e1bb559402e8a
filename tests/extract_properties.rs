//! Property tests: the one-pass extractors against a full parse by serde_json.
//! Generated documents (members in any order, no repeated names, any spacing,
//! escaped or raw non-ASCII) are read by the JSON pointer and the OpenAI Chat,
//! Anthropic and OpenAI Responses presets; what they find must be what
//! serde_json finds at the same place, and a cut document is never text.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::Value;
use wasm_sse::delta::{DeltaError, Extracted, Extractor, Pipeline, PipelineOptions};

/// A JSON value that keeps its members in the order generated.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// How a document is written.
#[derive(Debug, Clone, Copy)]
struct Style {
    /// Whitespace between tokens.
    spaces: bool,
    /// Non-ASCII characters and `/` as `\u` and `\/` escapes.
    ascii: bool,
}

fn write_str(s: &str, style: Style, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '/' if style.ascii => out.push_str("\\/"),
            c if (c as u32) < 0x20 || (style.ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn gap(style: Style, out: &mut String) {
    if style.spaces {
        out.push_str(["", " ", "\n\t", "\r\n  "][out.len() % 4]);
    }
}

fn write(j: &J, style: Style, out: &mut String) {
    gap(style, out);
    match j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(n),
        J::Str(s) => write_str(s, style, out),
        J::Arr(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write(item, style, out);
            }
            gap(style, out);
            out.push(']');
        }
        J::Obj(members) => {
            out.push('{');
            for (k, (name, value)) in members.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                gap(style, out);
                write_str(name, style, out);
                gap(style, out);
                out.push(':');
                write(value, style, out);
            }
            gap(style, out);
            out.push('}');
        }
    }
    gap(style, out);
}

fn text() -> impl Strategy<Value = String> {
    let pieces = vec![
        "a",
        "b c",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "\\",
        ":",
        ",",
        "/",
        "~",
        "\n",
        "\t",
        "\u{1}",
        "\u{7f}",
        "é",
        "你",
        "😀",
        "👩‍💻",
        "\\u0065",
        "error",
        "delta",
        "text",
        "content",
        "choices",
        "0",
        "null",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..5).prop_map(|v| v.concat())
}

/// Member names: the ones the presets look for, and any text.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "a", "b", "0", "1", "error", "type", "delta", "text", "content", "choices", "role", "e\"r",
            "a/b", "~c", "é", ""
        ])
        .prop_map(str::to_owned),
        text(),
    ]
}

/// An object of these members, the first of each name kept.
fn object(members: Vec<(String, J)>) -> J {
    let mut seen = std::collections::HashSet::new();
    J::Obj(members.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect())
}

fn value() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        1 => Just(J::Null),
        1 => any::<bool>().prop_map(J::Bool),
        1 => any::<i32>().prop_map(|n| J::Num(n.to_string())),
        1 => (-1.0e6f64..1.0e6).prop_map(|f| J::Num(format!("{f:e}"))),
        3 => text().prop_map(J::Str),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Arr),
            prop::collection::vec((name(), inner), 0..4).prop_map(object),
        ]
    })
}

/// `must` (members that must be there, first so that they win over generated
/// members of the same name) among `others`, then the first two moved to
/// places `at`.
fn place(must: Vec<(String, J)>, others: Vec<(String, J)>, at: (usize, usize)) -> J {
    let J::Obj(mut members) = object(must.into_iter().chain(others).collect()) else { unreachable!() };
    for (k, at) in [at.0, at.1].into_iter().enumerate() {
        if members.len() > k {
            let m = members.remove(k);
            members.insert(at % (members.len() + 1), m);
        }
    }
    J::Obj(members)
}

fn members() -> impl Strategy<Value = Vec<(String, J)>> {
    prop::collection::vec((name(), value()), 0..3)
}

fn style() -> impl Strategy<Value = Style> {
    (any::<bool>(), any::<bool>()).prop_map(|(spaces, ascii)| Style { spaces, ascii })
}

fn render(doc: &J, style: Style) -> String {
    let mut out = String::new();
    write(doc, style, &mut out);
    out
}

/// A top-level `"error"` member that is not `null`.
fn has_error(v: &Value) -> bool {
    v.get("error").is_some_and(|e| !e.is_null())
}

/// The answer text the pipeline ends with after this one event.
fn pipeline_text(extractor: Extractor, event: &str, data: &str) -> Result<String, DeltaError> {
    let mut p = Pipeline::new(PipelineOptions::new(extractor));
    p.push_event(event, data)?;
    Ok(p.finish().text.to_owned())
}

/// Checks one preset on one event against what serde_json says it holds:
/// `Err(())` an error, `Ok(Some(s))` the text `s`, `Ok(None)` no text.
fn agrees(
    extractor: Extractor,
    event: &str,
    data: &str,
    want: Result<Option<String>, ()>,
) -> Result<(), TestCaseError> {
    let got = extractor.extract(event, data);
    match want {
        Err(()) => prop_assert!(matches!(got, Err(DeltaError::Stream { .. })), "{data}: {got:?}"),
        Ok(Some(s)) => {
            match &got {
                Ok(Extracted::Text(piece)) => {
                    prop_assert_eq!(piece.text.as_ref(), s.as_str(), "{}", data);
                    prop_assert_eq!((piece.lead_low, piece.trail_high), (None, None));
                }
                other => prop_assert!(false, "{data}: want text {s:?}, got {other:?}"),
            }
            prop_assert_eq!(pipeline_text(extractor, event, data), Ok(s));
        }
        Ok(None) => prop_assert!(matches!(got, Ok(Extracted::Nothing)), "{data}: {got:?}"),
    }
    Ok(())
}

/// An RFC 6901 pointer to somewhere in `doc` (a real path, cut short or led
/// astray at a random step), as steps and as text.
fn pointer_into(doc: &J, choices: &[usize]) -> String {
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    let mut pointer = String::new();
    let mut at = doc;
    for &c in choices {
        match at {
            J::Obj(members) if !members.is_empty() && c % 5 != 0 => {
                let (k, v) = &members[c % members.len()];
                pointer.push('/');
                pointer.push_str(&escape(k));
                at = v;
            }
            J::Arr(items) if !items.is_empty() && c % 5 != 0 => {
                pointer.push_str(&format!("/{}", c % items.len()));
                at = &items[c % items.len()];
            }
            // Off the document: a step that names nothing (or, for an array,
            // an index past its end or a key that is not an index).
            _ => {
                pointer.push_str(["/missing", "/9", "/-", "/01", "/"][c % 5]);
                break;
            }
        }
    }
    pointer
}

/// Anthropic events: the types the preset tells apart and one it ignores.
fn anthropic_doc() -> impl Strategy<Value = (String, J)> {
    let types = prop::sample::select(vec![
        "content_block_delta",
        "content_block_start",
        "content_block_stop",
        "message_start",
        "message_delta",
        "message_stop",
        "ping",
        "error",
    ]);
    let delta_type =
        prop::sample::select(vec!["text_delta", "thinking_delta", "input_json_delta", "signature_delta"]);
    let field_value = prop_oneof![4 => text().prop_map(J::Str), 1 => value()];
    let delta = (
        delta_type,
        prop::sample::select(vec!["text", "thinking", "partial_json"]),
        field_value,
        members(),
        any::<(usize, usize)>(),
    )
        .prop_map(|(kind, field, v, others, at)| {
            place(vec![("type".into(), J::Str(kind.into())), (field.into(), v)], others, at)
        });
    typed_event(types, delta)
}

/// An event of a typed stream: `{"type": kind}` with maybe a `delta` and an
/// `error` among other members, and its SSE event name: `kind`, or `message`
/// when a proxy dropped the `event:` field (the type is then read from the data).
fn typed_event(
    types: impl Strategy<Value = &'static str>,
    delta: impl Strategy<Value = J>,
) -> impl Strategy<Value = (String, J)> {
    let error = prop_oneof![Just(None), Just(Some(J::Null)), value().prop_map(Some)];
    (types, prop::option::of(delta), error, members(), any::<(usize, usize)>(), any::<bool>()).prop_map(
        |(kind, delta, error, others, at, event_field)| {
            let mut must = vec![("type".to_owned(), J::Str(kind.to_owned()))];
            must.extend(delta.map(|d| ("delta".to_owned(), d)));
            must.extend(error.map(|e| ("error".to_owned(), e)));
            let event = if event_field { kind.to_owned() } else { "message".to_owned() };
            (event, place(must, others, at))
        },
    )
}

/// What the Anthropic preset should find in an event, read by serde_json.
fn anthropic_oracle(event: &str, v: &Value) -> Result<Option<String>, ()> {
    let kind = if event == "message" { v.get("type").and_then(Value::as_str).unwrap_or("") } else { event };
    match kind {
        "content_block_delta" => {
            let delta = &v["delta"];
            Ok(match delta["type"].as_str() {
                Some("text_delta") => delta["text"].as_str().map(str::to_owned),
                _ => None,
            })
        }
        "content_block_start" | "content_block_stop" | "message_start" | "message_delta" => Ok(None),
        "error" => Err(()),
        _ if has_error(v) => Err(()),
        _ => Ok(None),
    }
}

/// OpenAI Responses events.
fn responses_doc() -> impl Strategy<Value = (String, J)> {
    let types = prop::sample::select(vec![
        "response.output_text.delta",
        "response.reasoning_summary_text.delta",
        "response.function_call_arguments.delta",
        "response.output_item.added",
        "response.completed",
        "response.failed",
        "response.created",
        "error",
    ]);
    typed_event(types, prop_oneof![4 => text().prop_map(J::Str), 1 => value()])
}

/// What the Responses preset should find in an event, read by serde_json.
fn responses_oracle(event: &str, v: &Value) -> Result<Option<String>, ()> {
    let kind = if event == "message" { v.get("type").and_then(Value::as_str).unwrap_or("") } else { event };
    match kind {
        "response.output_text.delta" => Ok(v["delta"].as_str().map(str::to_owned)),
        "response.reasoning_summary_text.delta"
        | "response.function_call_arguments.delta"
        | "response.output_item.added"
        | "response.completed" => Ok(None),
        "response.failed" | "error" => Err(()),
        _ if has_error(v) => Err(()),
        _ => Ok(None),
    }
}

/// An OpenAI chat chunk: maybe `choices[0].delta.content` (of any kind), maybe
/// a top-level `error`, other members around them, in any order.
fn openai_doc() -> impl Strategy<Value = J> {
    let content = prop_oneof![3 => text().prop_map(J::Str), 1 => value()];
    let delta = (members(), content, any::<(usize, usize)>())
        .prop_map(|(others, content, at)| place(vec![("content".to_owned(), content)], others, at));
    let choice = (members(), delta, any::<(usize, usize)>())
        .prop_map(|(others, delta, at)| place(vec![("delta".to_owned(), delta)], others, at));
    let choices = prop_oneof![
        4 => (choice, prop::collection::vec(value(), 0..2)).prop_map(|(first, mut rest)| {
            rest.insert(0, first);
            J::Arr(rest)
        }),
        1 => value(),
    ];
    let error = prop_oneof![Just(None), Just(Some(J::Null)), value().prop_map(Some)];
    (members(), prop::option::of(choices), error, any::<(usize, usize)>()).prop_map(
        |(others, choices, error, at)| {
            let error = error.map(|e| ("error".to_owned(), e));
            let choices = choices.map(|c| ("choices".to_owned(), c));
            place(error.into_iter().chain(choices).collect(), others, at)
        },
    )
}

fn openai_oracle(v: &Value) -> Result<Option<String>, ()> {
    if has_error(v) {
        return Err(());
    }
    Ok(v.pointer("/choices/0/delta/content").and_then(Value::as_str).map(str::to_owned))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_openai_preset_finds_what_serde_json_finds(doc in openai_doc(), style in style()) {
        let data = render(&doc, style);
        let v: Value = serde_json::from_str(&data).expect("the generator writes JSON");
        agrees(Extractor::OpenAiChat, "message", &data, openai_oracle(&v))?;
    }

    #[test]
    fn a_cut_openai_chunk_is_never_text(doc in openai_doc(), style in style(), at in any::<usize>()) {
        let data = render(&doc, style);
        let end = data.rfind('}').expect("an object");
        let cuts: Vec<usize> = data[..end].char_indices().map(|(i, _)| i).collect();
        let cut = &data[..cuts[at % cuts.len()]];
        let got = Extractor::OpenAiChat.extract("message", cut);
        let v: Value = serde_json::from_str(&data).expect("the generator writes JSON");
        match openai_oracle(&v) {
            // An error member before the cut may be reported as such.
            Err(()) => prop_assert!(got.is_err(), "{cut}: {got:?}"),
            Ok(_) => prop_assert!(matches!(got, Err(DeltaError::InvalidJson { .. })), "{cut}: {got:?}"),
        }
    }

    #[test]
    fn a_json_pointer_finds_what_serde_json_finds(
        doc in value(), choices in prop::collection::vec(any::<usize>(), 0..5), style in style()
    ) {
        let data = render(&doc, style);
        let pointer = pointer_into(&doc, &choices);
        let v: Value = serde_json::from_str(&data).expect("the generator writes JSON");
        let want = if v.is_object() && has_error(&v) {
            Err(())
        } else {
            Ok(v.pointer(&pointer).and_then(Value::as_str).map(str::to_owned))
        };
        let extractor = Extractor::pointer(&pointer).expect("a valid pointer");
        agrees(extractor, "message", &data, want).map_err(|e| TestCaseError::fail(format!("{pointer}: {e}")))?;
    }

    #[test]
    fn the_anthropic_preset_finds_what_serde_json_finds((event, doc) in anthropic_doc(), style in style()) {
        let data = render(&doc, style);
        let v: Value = serde_json::from_str(&data).expect("the generator writes JSON");
        let kind = if event == "message" { v["type"].as_str().unwrap_or("") } else { event.as_str() };
        if kind == "message_stop" {
            prop_assert_eq!(Extractor::Anthropic.extract(&event, &data), Ok(Extracted::Done));
        } else {
            agrees(Extractor::Anthropic, &event, &data, anthropic_oracle(&event, &v))?;
        }
    }

    #[test]
    fn the_responses_preset_finds_what_serde_json_finds((event, doc) in responses_doc(), style in style()) {
        let data = render(&doc, style);
        let v: Value = serde_json::from_str(&data).expect("the generator writes JSON");
        let kind = if event == "message" { v["type"].as_str().unwrap_or("") } else { event.as_str() };
        if kind == "response.completed" {
            prop_assert_eq!(Extractor::OpenAiResponses.extract(&event, &data), Ok(Extracted::Done));
        } else {
            agrees(Extractor::OpenAiResponses, &event, &data, responses_oracle(&event, &v))?;
        }
    }
}
