//! Property tests of the delta pipeline on generated input: nothing is lost,
//! nothing panics, the grapheme rules agree with `unicode-segmentation`.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;
use wasm_sse::delta::{self, Extractor, Markdown, Math, Pipeline, PipelineOptions};

/// Characters that matter to markdown, graphemes and JSON, plus plain ones.
fn tricky() -> impl Strategy<Value = String> {
    let alphabet: Vec<&str> = vec![
        "a",
        "b",
        " ",
        "\n",
        "\n\n",
        "*",
        "**",
        "_",
        "~",
        "`",
        "```",
        "~~~",
        "$",
        "$$",
        "[",
        "]",
        "(",
        ")",
        "!",
        "<",
        ">",
        "&",
        ";",
        "#",
        "-",
        "+",
        "1.",
        "|",
        ":",
        "=",
        "\\",
        "\t",
        "    ",
        "é",
        "e\u{301}",
        "👍",
        "🏽",
        "\u{200D}",
        "👩",
        "💻",
        "\u{1F1EB}",
        "\u{1F1F7}",
        "\u{FE0F}",
        "❤",
        "한",
        "\u{1100}",
        "\u{1161}",
        "\u{11A8}",
        "क",
        "\u{94D}",
        "ष",
        "\r",
        "\r\n",
        "中",
        "\"",
        "{",
        "}",
        "http://x.y",
    ];
    proptest::collection::vec(proptest::sample::select(alphabet), 0..60).prop_map(|v| v.concat())
}

fn chunks(s: &str, cuts: &[usize]) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    for &c in cuts {
        if i >= chars.len() {
            break;
        }
        let n = (c % 7 + 1).min(chars.len() - i);
        out.push(chars[i..i + n].iter().collect());
        i += n;
    }
    if i < chars.len() {
        out.push(chars[i..].iter().collect());
    }
    out
}

const MATHS: [Math; 4] = [Math::Off, Math::Dollar, Math::Latex, Math::Both];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn deltas_add_up_to_the_input_and_complete_text_comes_back_untouched(
        s in tricky(), cuts in proptest::collection::vec(0usize..100, 0..40), mode in 0u8..3, math in 0u8..4
    ) {
        let mode = [Markdown::Off, Markdown::Hold, Markdown::Heal][mode as usize];
        let math = MATHS[math as usize];
        let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText).markdown(mode).math(math));
        let mut all = String::new();
        for c in chunks(&s, &cuts) {
            p.push_text(&c);
            if let Some(f) = p.flush() {
                all.push_str(f.delta);
                prop_assert_eq!(&all, f.text);
                prop_assert_eq!(&f.display()[..f.stable_len], &f.text[..f.stable_len]);
                // Never inside a grapheme cluster of the text so far.
                prop_assert!(s.grapheme_indices(true).any(|(i, _)| i == f.text.len()) || f.text.len() == s.len());
            }
        }
        let f = p.finish();
        all.push_str(f.delta);
        prop_assert_eq!(&all, &s);
        prop_assert_eq!(f.display(), s);
    }

    // Idempotence of healing is checked on every prefix of the corpus
    // (`tests/delta_markdown.rs`); on delimiter soup such as `~*```[```~*` hiding
    // a trailing run can change how earlier runs pair, so it is not a property here.
    #[test]
    fn hold_shows_a_prefix_and_heal_never_panics(s in tricky(), math in 0u8..4) {
        let math = MATHS[math as usize];
        let held = delta::view(&s, Markdown::Hold, math);
        prop_assert!(s.starts_with(&held), "hold shows a prefix");
        let _ = delta::view(&s, Markdown::Heal, math);
    }

    #[test]
    fn extractors_never_panic(data in ".{0,80}", event in "(message|error|content_block_delta|response.output_text.delta)") {
        for x in [Extractor::OpenAiChat, Extractor::OpenAiResponses, Extractor::Anthropic, Extractor::PlainText, Extractor::pointer("/a/0/b").unwrap()] {
            let _ = x.extract(&event, &data);
        }
    }

    #[test]
    fn json_ish_input_never_panics(parts in proptest::collection::vec(proptest::sample::select(vec![
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "d83d", "\\ude00", "\\n", "choices", "delta", "content",
        "0", "null", "true", " ", "é", "\"choices\"", "\"delta\"", "\"content\"", "\"error\"",
    ]), 0..40)) {
        let data = parts.concat();
        for x in [Extractor::OpenAiChat, Extractor::Anthropic, Extractor::pointer("/choices/0/delta/content").unwrap()] {
            let _ = x.extract("message", &data);
        }
    }

    #[test]
    fn utf16_pushes_split_anywhere_give_the_same_text(s in tricky(), at in 0usize..200) {
        let units: Vec<u16> = s.encode_utf16().collect();
        let at = at.min(units.len());
        let mut p = Pipeline::new(PipelineOptions::new(Extractor::PlainText));
        p.push_utf16(&units[..at]);
        p.push_utf16(&units[at..]);
        prop_assert_eq!(p.finish().text, s.as_str());
    }
}
