//! Feeds arbitrary header values to the `Retry-After` and HTTP-date parsers:
//! nothing panics; a date that parses comes back to the same instant when
//! written again as an IMF-fixdate; digits are seconds; a delay never comes
//! from a date when the clock is not finite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_sse::reconnect::{parse_http_date, parse_retry_after};

/// `unix_s` as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), for years
/// 0 to 9999 (Howard Hinnant's `civil_from_days`).
fn imf_fixdate(unix_s: i64) -> Option<String> {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (days, secs) = (unix_s.div_euclid(86_400), unix_s.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some(format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[month as usize - 1],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

fuzz_target!(|input: &[u8]| {
    // Eight bytes of clock, the rest is the header value.
    if input.len() < 8 {
        return;
    }
    let (clock, value) = input.split_at(8);
    let now_ms = f64::from_le_bytes(clock.try_into().expect("8 bytes"));
    let now_s = i64::from_le_bytes(clock.try_into().expect("8 bytes"));
    let Ok(value) = std::str::from_utf8(value) else { return };

    if let Some(at) = parse_http_date(value, now_s) {
        // A leap second (:60) is the next minute's :00, which says the same
        // instant. A two-digit year near an extreme clock may leave 0..=9999.
        if let Some(again) = imf_fixdate(at) {
            assert_eq!(parse_http_date(&again, now_s), Some(at), "{value:?} -> {again:?}");
        }
    }

    let delay = parse_retry_after(value, now_ms);
    let trimmed = value.trim_matches([' ', '\t', '\r', '\n']);
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = trimmed.parse::<u64>().unwrap_or(u64::MAX);
        assert_eq!(delay, Some(seconds.saturating_mul(1000)), "{value:?}");
    } else if !now_ms.is_finite() {
        assert_eq!(delay, None, "{value:?} at {now_ms}");
    } else if delay.is_some() {
        assert!(parse_http_date(trimmed, (now_ms / 1000.0).floor() as i64).is_some(), "{value:?}");
    }
});
