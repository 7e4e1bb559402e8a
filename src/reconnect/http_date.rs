//! HTTP-date parsing (RFC 9110 §5.6.7), for the date form of `Retry-After`.
//!
//! "A recipient that parses a timestamp value in an HTTP header field MUST accept
//! all three HTTP-date formats": IMF-fixdate, and the obsolete RFC 850 and ANSI C
//! `asctime()` forms. We are lenient where leniency cannot change the meaning
//! (runs of whitespace, letter case, an unpadded day) and strict about numbers
//! (ASCII digits only, every field in range).

/// Parses an HTTP-date into seconds since the Unix epoch (negative before 1970).
///
/// `now_unix_s`, the current time in seconds since the epoch, is used only to
/// resolve the two-digit year of the RFC 850 form: "Recipients of a timestamp
/// value in rfc850-date format, which uses a two-digit year, MUST interpret a
/// timestamp that appears to be more than 50 years in the future as representing
/// the most recent year in the past that had the same last two digits."
///
/// ```
/// use wasm_sse::reconnect::parse_http_date;
///
/// assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", 0), Some(784111777));
/// assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", 1_700_000_000), Some(784111777));
/// assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994", 0), Some(784111777));
/// assert_eq!(parse_http_date("yesterday", 0), None);
/// ```
pub fn parse_http_date(value: &str, now_unix_s: i64) -> Option<i64> {
    let value = value.trim_matches(is_http_whitespace);
    if let Some((weekday, rest)) = value.split_once(',') {
        if !is_weekday(weekday) {
            return None;
        }
        let mut tokens = rest.split_ascii_whitespace();
        let first = tokens.next()?;
        let (day, month, year, time) = if first.contains('-') {
            // rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT
            // date2       = day "-" month "-" 2DIGIT
            let mut parts = first.split('-');
            let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || yy.len() != 2 {
                return None;
            }
            let year = two_digit_year(number(yy)?, year_of(now_unix_s));
            (number(day)?, month_number(month)?, year, tokens.next()?)
        } else {
            // IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT
            // date1       = day SP month SP year
            let month = month_number(tokens.next()?)?;
            let year = tokens.next()?;
            if year.len() != 4 {
                return None;
            }
            (number(first)?, month, i64::from(number(year)?), tokens.next()?)
        };
        if !tokens.next()?.eq_ignore_ascii_case("GMT") || tokens.next().is_some() {
            return None;
        }
        to_unix(year, month, day, time)
    } else {
        // asctime-date = day-name SP date3 SP time-of-day SP year
        // date3        = month SP ( 2DIGIT / ( SP DIGIT ) )
        let mut tokens = value.split_ascii_whitespace();
        if !is_weekday(tokens.next()?) {
            return None;
        }
        let month = month_number(tokens.next()?)?;
        let day = number(tokens.next()?)?;
        let time = tokens.next()?;
        let year = tokens.next()?;
        if year.len() != 4 || tokens.next().is_some() {
            return None;
        }
        to_unix(i64::from(number(year)?), month, day, time)
    }
}

/// "HTTP whitespace": space and horizontal tab (and, leniently, CR and LF).
pub(crate) fn is_http_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEKDAYS_LONG: [&str; 7] =
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// A short or long day name. We do not check that it matches the date: RFC 9110
/// gives no rule for a mismatch and the date is what we need.
fn is_weekday(name: &str) -> bool {
    let name = name.trim_matches(is_http_whitespace);
    position_ignoring_case(&WEEKDAYS, name).or_else(|| position_ignoring_case(&WEEKDAYS_LONG, name)).is_some()
}

fn month_number(name: &str) -> Option<u32> {
    position_ignoring_case(&MONTHS, name).map(|index| index as u32 + 1)
}

/// Where `name` is in `names`, ignoring ASCII case. Kept out of line: inlined,
/// the compiler unrolls it over each constant table (9 KB of wasm for a header
/// that is read once per retry).
#[inline(never)]
fn position_ignoring_case(names: &[&str], name: &str) -> Option<usize> {
    names.iter().position(|candidate| candidate.eq_ignore_ascii_case(name))
}

/// One to four ASCII digits (no sign, unlike `str::parse`).
fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0, |n, digit| n * 10 + u32::from(digit - b'0')))
}

/// Picks the year ending in `yy` that lies in `(now - 50, now + 50]`.
fn two_digit_year(yy: u32, now_year: i64) -> i64 {
    let year = now_year - now_year.rem_euclid(100) + i64::from(yy);
    if year > now_year + 50 {
        year - 100
    } else if year <= now_year - 50 {
        year + 100
    } else {
        year
    }
}

/// `hh:mm:ss`, each two digits. A leap second (60) is accepted, as RFC 9110's
/// grammar allows it.
fn to_unix(year: i64, month: u32, day: u32, time: &str) -> Option<i64> {
    let mut parts = time.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || h.len() != 2 || m.len() != 2 || s.len() != 2 {
        return None;
    }
    let (h, m, s) = (number(h)?, number(m)?, number(s)?);
    if h > 23 || m > 59 || s > 60 || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // A two-digit year resolved against an extreme clock may name a year whose
    // seconds do not fit in an i64: that is no date we can use.
    let days = days_from_civil(year, month, day);
    days.checked_mul(86_400)?.checked_add(i64::from(h * 3600 + m * 60 + s))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, <http://howardhinnant.github.io/date_algorithms.html>).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * i64::from((month + 9) % 12) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The Gregorian year that contains the instant `unix_s` (the inverse of
/// [`days_from_civil`], keeping only the year).
fn year_of(unix_s: i64) -> i64 {
    let days = unix_s.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    year_of_era + era * 400 + i64::from(month_from_march >= 10)
}
