//! Feeds arbitrary text, split where the input chooses, through the markdown
//! holder or healer: nothing panics; the deltas add up to the input; the
//! stable prefix never changes and never shrinks; the display starts with it;
//! hold never shows text that is not there; the last flush shows the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_sse::delta::{Extractor, Markdown, Math, Pipeline, PipelineOptions};

fuzz_target!(|input: &[u8]| {
    // The first byte picks the mode and the math delimiters; each following byte below 16 is a cut
    // (the piece sizes), the rest is the text.
    let Some((&knob, rest)) = input.split_first() else { return };
    let mode = if knob % 2 == 0 { Markdown::Hold } else { Markdown::Heal };
    let math = [Math::Off, Math::Dollar, Math::Latex, Math::Both][usize::from(knob / 2) % 4];
    let cuts: Vec<usize> = rest.iter().take_while(|&&b| b < 16).map(|&b| usize::from(b) + 1).collect();
    let text = String::from_utf8_lossy(&rest[cuts.len()..]);

    let mut pipeline = Pipeline::new(PipelineOptions::new(Extractor::PlainText).markdown(mode).math(math));
    let (mut all, mut stable) = (String::new(), String::new());
    let mut sizes = cuts.iter().copied().cycle();
    let mut at = 0;
    while at < text.len() {
        let mut end = (at + sizes.next().unwrap_or(text.len())).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        pipeline.push_text(&text[at..end]);
        at = end;
        if let Some(f) = pipeline.flush() {
            all.push_str(f.delta);
            assert_eq!(all, f.text, "the deltas add up to the text");
            assert!(f.stable_len >= stable.len(), "the stable prefix shrank");
            assert!(f.text[..f.stable_len].starts_with(stable.as_str()), "the stable prefix changed");
            stable = f.text[..f.stable_len].to_owned();
            let display = f.display();
            assert!(display.starts_with(stable.as_str()), "the display does not start with the stable part");
            assert!(text.starts_with(f.text), "the text is a prefix of the input");
            if mode == Markdown::Hold {
                assert!(f.text.starts_with(display.as_str()), "hold showed {display:?} of {:?}", f.text);
            }
        }
    }
    let f = pipeline.finish();
    all.push_str(f.delta);
    assert_eq!(all, text, "nothing is lost");
    assert!(f.text[..f.stable_len].starts_with(stable.as_str()));
    assert_eq!(f.display(), text, "the last flush shows the input as is");
});
