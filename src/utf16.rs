//! String lengths as JavaScript counts them. Shared by the parser's bindings
//! and the delta pipeline, and built without std.

/// Number of UTF-16 code units in `s` (JS string length): one per scalar
/// value, two above U+FFFF.
///
/// Every scalar value has exactly one byte that is not a continuation byte
/// (`10xxxxxx`), and those above U+FFFF start with `11110xxx`; so the length is
/// the count of non-continuation bytes plus the count of 4-byte leads. The loops
/// are branch-free so that they compile to SIMD: this runs over all text JS gets.
pub fn utf16_len(s: &str) -> usize {
    // Per block, count in u8 lanes (at most 2 per byte of a 127-byte block).
    s.as_bytes()
        .chunks(127)
        .map(|block| {
            let count: u8 =
                block.iter().fold(0u8, |n, &b| n + u8::from((b as i8) >= -0x40) + u8::from(b >= 0xF0));
            usize::from(count)
        })
        .sum()
}
