//! Where the last grapheme cluster of a text starts, with a compact rule set.
//!
//! A flush holds back the last cluster until more text (or the end) arrives,
//! because any cluster can still grow: `e` + U+0301, 👍 + 🏽, 👩 + ZWJ + 💻, 🇫 + 🇷.
//! So all we need is the start of the *last* cluster, found by walking
//! backwards over the Unicode "extended grapheme cluster" rules (UAX #29 §3.1.1)
//! that occur in real text. The tables cover the common combining marks, not
//! all of Unicode's `Extend`: `unicode-segmentation` would cost ~30 KB of wasm,
//! and tests compare the two on the characters listed here.

/// UAX #29 `Extend`, `SpacingMark` and ZWJ for the scripts and symbols LLM
/// answers use (ranges are inclusive).
const EXTEND: &[(u32, u32)] = &[
    (0x0300, 0x036F), // combining diacritical marks
    (0x0483, 0x0489), // Cyrillic
    (0x0591, 0x05BD), // Hebrew points
    (0x05BF, 0x05BF),
    (0x05C1, 0x05C2),
    (0x05C4, 0x05C5),
    (0x05C7, 0x05C7),
    (0x0610, 0x061A), // Arabic
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E4),
    (0x06E7, 0x06E8),
    (0x06EA, 0x06ED),
    (0x0900, 0x0903), // Devanagari
    (0x093A, 0x093C),
    (0x093E, 0x094F),
    (0x0951, 0x0957),
    (0x0962, 0x0963),
    (0x0981, 0x0983), // Bengali
    (0x09BC, 0x09BC),
    (0x09BE, 0x09C4),
    (0x09C7, 0x09C8),
    (0x09CB, 0x09CD),
    (0x09D7, 0x09D7),
    (0x0B82, 0x0B82), // Tamil
    (0x0BBE, 0x0BC2),
    (0x0BC6, 0x0BC8),
    (0x0BCA, 0x0BCD),
    (0x0BD7, 0x0BD7),
    (0x0E31, 0x0E31), // Thai
    (0x0E33, 0x0E3A),
    (0x0E47, 0x0E4E),
    (0x1AB0, 0x1AFF),   // combining marks extended
    (0x1DC0, 0x1DFF),   // combining marks supplement
    (0x200C, 0x200D),   // ZWNJ, ZWJ
    (0x20D0, 0x20F0),   // combining marks for symbols (keycap U+20E3)
    (0x302A, 0x302F),   // CJK tone marks
    (0x3099, 0x309A),   // kana voicing marks
    (0xFE00, 0xFE0F),   // variation selectors
    (0xFE20, 0xFE2F),   // combining half marks
    (0x1F3FB, 0x1F3FF), // emoji skin tones
    (0xE0020, 0xE007F), // tags (subdivision flags)
    (0xE0100, 0xE01EF), // variation selectors supplement
];

fn in_table(c: char, table: &[(u32, u32)]) -> bool {
    let c = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

fn is_extend(c: char) -> bool {
    in_table(c, EXTEND)
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// `Extended_Pictographic`, approximately: the emoji blocks and the older
/// symbols that take emoji presentation.
fn is_pictographic(c: char) -> bool {
    matches!(c as u32,
        0x00A9 | 0x00AE | 0x203C | 0x2049 | 0x2122 | 0x2139
        | 0x2194..=0x21AA | 0x231A..=0x23FF | 0x24C2 | 0x25AA..=0x25FE
        | 0x2600..=0x27BF | 0x2934..=0x2935 | 0x2B05..=0x2B55 | 0x3030 | 0x303D
        | 0x3297 | 0x3299 | 0x1F000..=0x1F0FF | 0x1F10D..=0x1F10F | 0x1F12F
        | 0x1F16C..=0x1F171 | 0x1F17E..=0x1F17F | 0x1F18E | 0x1F191..=0x1F19A
        | 0x1F1AD..=0x1F1E5 | 0x1F201..=0x1F20F | 0x1F21A | 0x1F22F
        | 0x1F232..=0x1F23A | 0x1F23C..=0x1F23F | 0x1F249..=0x1F3FA
        | 0x1F400..=0x1F53D | 0x1F546..=0x1F64F | 0x1F680..=0x1F6FF
        | 0x1F774..=0x1F77F | 0x1F7D5..=0x1F7FF | 0x1F80C..=0x1F80F
        | 0x1F848..=0x1F84F | 0x1F85A..=0x1F85F | 0x1F888..=0x1F88F
        | 0x1F8AE..=0x1F8FF | 0x1F90C..=0x1F93A | 0x1F93C..=0x1F945
        | 0x1F947..=0x1FAFF | 0x1FC00..=0x1FFFD)
}

/// Hangul syllable type (UAX #29 GB6–GB8): L, V, T, LV, LVT.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hangul {
    L,
    V,
    T,
    Lv,
    Lvt,
}

fn hangul(c: char) -> Option<Hangul> {
    let c = c as u32;
    Some(match c {
        0x1100..=0x115F | 0xA960..=0xA97C => Hangul::L,
        0x1160..=0x11A7 | 0xD7B0..=0xD7C6 => Hangul::V,
        0x11A8..=0x11FF | 0xD7CB..=0xD7FB => Hangul::T,
        0xAC00..=0xD7A3 => {
            if (c - 0xAC00).is_multiple_of(28) {
                Hangul::Lv
            } else {
                Hangul::Lvt
            }
        }
        _ => return None,
    })
}

/// GB6–GB8: may `a` and `b` (in this order) be in one Hangul syllable?
fn hangul_joins(a: Hangul, b: Hangul) -> bool {
    use Hangul::*;
    matches!((a, b), (L, L | V | Lv | Lvt) | (Lv | V, V | T) | (Lvt | T, T))
}

/// Indic virama/halant, which join the consonants around them (GB9c).
fn is_linker(c: char) -> bool {
    matches!(c as u32, 0x094D | 0x09CD | 0x0ACD | 0x0B4D | 0x0C4D | 0x0D4D)
}

/// The most scalar values a held cluster may have. Unicode's stream-safe text
/// format (UAX #15 §13) allows at most 30 combining marks in a row, and the
/// longest emoji ZWJ sequences have about ten code points; a longer "cluster"
/// (a hostile run of marks or of ZWJ pictographs) is released in part rather than
/// held, and walked, without end.
pub(crate) const MAX_HELD_CLUSTER_CHARS: usize = 32;

/// The byte offset where the last grapheme cluster of `s` starts (0 for an empty
/// string). Everything before it is complete clusters, whatever comes next;
/// except that at most [`MAX_HELD_CLUSTER_CHARS`] scalar values are held.
pub(crate) fn last_cluster_start(s: &str) -> usize {
    let mut iter = s.char_indices().rev().peekable();
    let Some((mut start, mut c)) = iter.next() else {
        return 0;
    };
    for _ in 1..MAX_HELD_CLUSTER_CHARS {
        let Some(&(pi, p)) = iter.peek() else {
            return start;
        };
        let joins = if is_extend(c) {
            // GB9, GB9a: no break before Extend, ZWJ or SpacingMark.
            p != '\n' && p != '\r'
        } else if c == '\n' {
            // GB3: CR × LF.
            p == '\r'
        } else if is_pictographic(c) && p == '\u{200D}' {
            // GB11: ExtPict Extend* ZWJ × ExtPict; the ZWJ joins, and the loop
            // then walks back over the Extend* to the previous pictograph.
            true
        } else if is_regional_indicator(c) && is_regional_indicator(p) {
            // GB12, GB13: regional indicators pair up from the start of the run,
            // so `c` joins `p` only if an odd number of RIs precede `c`.
            // Counted up to the cap: past it the pairing is not looked for and
            // the run is released up to its last indicator.
            let run = s[..start]
                .chars()
                .rev()
                .take(MAX_HELD_CLUSTER_CHARS)
                .take_while(|&x| is_regional_indicator(x))
                .count();
            if run == MAX_HELD_CLUSTER_CHARS {
                return start;
            }
            if run % 2 == 1 {
                iter.next();
                start = pi;
                // A complete flag: nothing else attaches before it.
                return start;
            }
            false
        } else if let (Some(a), Some(b)) = (hangul(p), hangul(c)) {
            hangul_joins(a, b)
        } else if is_extend(p) || is_linker(p) {
            // GB9c: Consonant [Extend Linker]* Linker [Extend Linker]* × Consonant
            // (conjuncts such as क्ष, also with a mark after the virama). A
            // run of marks with a linker in it joins what follows; consonants
            // are not told apart, which only ever holds more, never cuts.
            s[..start]
                .chars()
                .rev()
                .take(MAX_HELD_CLUSTER_CHARS)
                .take_while(|&x| is_extend(x) || is_linker(x))
                .any(is_linker)
        } else {
            false
        };
        if !joins {
            return start;
        }
        iter.next();
        start = pi;
        c = p;
    }
    start
}
