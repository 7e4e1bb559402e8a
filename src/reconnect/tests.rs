//! One test per rule of the reconnect policy; names say the rule.

use super::*;
use proptest::prelude::*;

/// Options with no jitter, so delays are exact.
fn exact() -> ReconnectOptions {
    ReconnectOptions::default().jitter(0.0)
}

fn policy(options: ReconnectOptions) -> ReconnectPolicy {
    ReconnectPolicy::new(options, 0.0, 7)
}

fn network() -> StreamError {
    StreamError::Network { message: "connection reset".into() }
}

fn status(code: u16) -> StreamError {
    match classify(&ResponseHead::new(code, Some("text/plain"))) {
        Verdict::Error(error) => error,
        other => panic!("status {code} classified as {other:?}"),
    }
}

fn retry(delay_ms: u64, retry: u32) -> Decision {
    Decision::Retry { delay_ms, retry, restart: false }
}

fn delay(decision: &Decision) -> u64 {
    match decision {
        Decision::Retry { delay_ms, .. } => *delay_ms,
        Decision::Stop { error } => panic!("stopped with {error:?}"),
    }
}

fn stop_kind(decision: &Decision) -> Option<&'static str> {
    match decision {
        Decision::Stop { error } => error.as_ref().map(StreamError::kind),
        Decision::Retry { .. } => panic!("retried: {decision:?}"),
    }
}

fn decide(policy: &mut ReconnectPolicy, error: StreamError) -> Decision {
    policy.on_error(error, Override::Default, 0.0)
}

// Classifying responses.

#[test]
fn status_200_with_text_event_stream_opens_the_stream() {
    assert_eq!(classify(&ResponseHead::new(200, Some("text/event-stream"))), Verdict::Open);
}

#[test]
fn the_media_type_ignores_case_parameters_and_whitespace() {
    for value in [
        "TEXT/Event-Stream",
        "text/event-stream; charset=utf-8",
        " \ttext/event-stream ;x=y",
        "text/event-stream;",
    ] {
        assert!(is_event_stream(value), "{value:?}");
        assert_eq!(classify(&ResponseHead::new(200, Some(value))), Verdict::Open);
    }
}

#[test]
fn a_media_type_that_only_starts_like_an_event_stream_does_not_open() {
    for value in
        ["text/event-streams", "text/event-stream-x", "text/eventstream", "text /event-stream", "text", ""]
    {
        assert!(!is_event_stream(value), "{value:?}");
    }
}

#[test]
fn of_several_combined_content_types_the_last_valid_one_counts() {
    assert!(is_event_stream("text/html, text/event-stream"));
    assert!(is_event_stream("text/event-stream, */*, nonsense"));
    assert!(!is_event_stream("text/event-stream, text/html"));
    assert!(!is_event_stream("text/html;q=\"a,text/event-stream\""));
}

#[test]
fn status_200_with_another_content_type_is_a_content_type_error() {
    let verdict = classify(&ResponseHead::new(200, Some("text/html; charset=utf-8")));
    assert_eq!(
        verdict,
        Verdict::Error(StreamError::ContentType {
            content_type: Some("text/html; charset=utf-8".into()),
            body: String::new()
        })
    );
}

#[test]
fn status_200_without_a_content_type_is_a_content_type_error() {
    let verdict = classify(&ResponseHead::new(200, None));
    assert_eq!(verdict, Verdict::Error(StreamError::ContentType { content_type: None, body: String::new() }));
}

#[test]
fn status_204_ends_the_run_without_an_error() {
    assert_eq!(classify(&ResponseHead::new(204, None)), Verdict::Done);
    assert_eq!(classify(&ResponseHead::new(204, Some("text/event-stream"))), Verdict::Done);
}

#[test]
fn other_statuses_are_http_status_errors_with_their_details() {
    let head = ResponseHead::new(404, Some("application/json")).status_text("Not Found");
    assert_eq!(
        classify(&head),
        Verdict::Error(StreamError::HttpStatus {
            status: 404,
            status_text: "Not Found".into(),
            content_type: Some("application/json".into()),
            body: String::new(),
            retry_after_ms: None,
        })
    );
}

#[test]
fn even_an_event_stream_with_a_status_other_than_200_does_not_open() {
    for code in [0, 201, 206, 301, 304, 500] {
        assert!(
            matches!(classify(&ResponseHead::new(code, Some("text/event-stream"))), Verdict::Error(_)),
            "{code}"
        );
    }
}

// Retry-After.

#[test]
fn retry_after_in_seconds_is_read_for_429_and_503() {
    for code in [429, 503] {
        let head = ResponseHead::new(code, None).retry_after(Some("3"), f64::NAN);
        assert_eq!(classify(&head).error().retry_after_ms(), Some(3000), "{code}");
    }
}

#[test]
fn retry_after_is_ignored_on_other_statuses() {
    for code in [408, 500, 502, 404] {
        let head = ResponseHead::new(code, None).retry_after(Some("3"), 0.0);
        assert_eq!(classify(&head).error().retry_after_ms(), None, "{code}");
    }
}

#[test]
fn retry_after_as_an_http_date_is_measured_from_the_clients_clock() {
    let now = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT
    let head = ResponseHead::new(503, None).retry_after(Some("Sun, 06 Nov 1994 08:49:47 GMT"), now + 250.0);
    assert_eq!(classify(&head).error().retry_after_ms(), Some(9750));
}

#[test]
fn retry_after_as_an_http_date_is_measured_from_the_date_header_when_there_is_one() {
    // The client's clock is an hour fast; the server's Date says 10 s remain.
    let head = ResponseHead::new(429, None)
        .retry_after(Some("Sun, 06 Nov 1994 08:49:47 GMT"), 784_115_377_000.0)
        .date(Some("Sun, 06 Nov 1994 08:49:37 GMT"));
    assert_eq!(classify(&head).error().retry_after_ms(), Some(10_000));
}

#[test]
fn an_invalid_date_header_falls_back_to_the_clients_clock() {
    let head = ResponseHead::new(429, None)
        .retry_after(Some("Thu, 01 Jan 1970 00:00:10 GMT"), 4000.0)
        .date(Some("not a date"));
    assert_eq!(classify(&head).error().retry_after_ms(), Some(6000));
}

#[test]
fn a_retry_after_date_in_the_past_means_no_wait() {
    assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:01 GMT", 5000.0), Some(0));
}

#[test]
fn a_retry_after_that_is_neither_seconds_nor_a_date_is_ignored() {
    for value in ["", " ", "-5", "+5", "1.5", "5s", "soon", "Sun, 06 Nov 1994"] {
        assert_eq!(parse_retry_after(value, 0.0), None, "{value:?}");
    }
    assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", f64::NAN), None);
    assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", f64::INFINITY), None);
}

#[test]
fn a_huge_retry_after_in_seconds_saturates() {
    assert_eq!(parse_retry_after("99999999999999999999999", 0.0), Some(u64::MAX));
}

// HTTP dates.

#[test]
fn all_three_http_date_formats_parse_to_the_same_instant() {
    let now = 1_700_000_000;
    for value in
        ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"]
    {
        assert_eq!(parse_http_date(value, now), Some(784_111_777), "{value:?}");
    }
}

#[test]
fn http_dates_tolerate_case_and_extra_whitespace() {
    assert_eq!(parse_http_date("  sun,  06  nov 1994 08:49:37 gmt\t", 0), Some(784_111_777));
    assert_eq!(parse_http_date("Sun Nov 06 08:49:37 1994", 0), Some(784_111_777));
}

#[test]
fn a_two_digit_year_against_an_absurd_clock_is_no_date_and_no_overflow() {
    // Found by the retry_after fuzz target: a clock of -1e270 ms saturates to
    // i64::MIN seconds, the RFC 850 year resolves near it, and its seconds
    // overflowed an i64 (a panic in debug builds, a wrapped delay in release).
    let value = "Sunday, 06-Nov-94 08:49:37 GMT";
    assert_eq!(parse_http_date(value, i64::MIN), None);
    assert_eq!(parse_retry_after(value, -1.0235708534937672e270), None);
    // At the other end the year still fits, and lies in the clock's past.
    assert_eq!(parse_retry_after(value, f64::MAX), Some(0));
}

#[test]
fn the_epoch_and_dates_before_it_parse() {
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT", 0), Some(0));
    assert_eq!(parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT", 0), Some(-1));
}

#[test]
fn february_29_exists_only_in_leap_years() {
    assert_eq!(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT", 0), Some(951_782_400));
    assert_eq!(parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT", 0), Some(1_709_208_000));
    assert_eq!(parse_http_date("Fri, 29 Feb 1900 00:00:00 GMT", 0), None);
    assert_eq!(parse_http_date("Sun, 29 Feb 2023 00:00:00 GMT", 0), None);
}

#[test]
fn an_rfc_850_year_more_than_50_years_ahead_is_in_the_past() {
    let in_2026 = 1_767_225_600; // 2026-01-01
    assert_eq!(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT", in_2026), Some(3_155_760_000)); // 2070
    assert_eq!(parse_http_date("Monday, 01-Jan-80 00:00:00 GMT", in_2026), Some(315_532_800)); // 1980
    let in_2099 = 4_070_908_800; // 2099-01-01
    assert_eq!(parse_http_date("Friday, 01-Jan-00 00:00:00 GMT", in_2099), Some(4_102_444_800));
    // 2100
}

#[test]
fn malformed_http_dates_are_rejected() {
    for value in [
        "",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 PST",
        "Sun, 06 Nov 1994 08:49:37 GMT extra",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, +6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49 GMT",
        "Someday, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sunday, 06-Nov-94-1 08:49:37 GMT",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov  6 08:49:37 1994 GMT",
        "Nov  6 08:49:37 1994",
        "1994-11-06T08:49:37Z",
    ] {
        assert_eq!(parse_http_date(value, 0), None, "{value:?}");
    }
}

#[test]
fn a_leap_second_is_accepted() {
    assert_eq!(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT", 0), Some(1_483_228_800));
}

// Which errors are retried.

#[test]
fn network_errors_are_retried() {
    assert_eq!(decide(&mut policy(exact()), network()), retry(1000, 1));
}

#[test]
fn an_idle_timeout_is_retried_like_a_network_error() {
    let mut p = policy(exact());
    assert_eq!(decide(&mut p, StreamError::IdleTimeout { timeout_ms: 30_000 }), retry(1000, 1));
    assert_eq!(decide(&mut p, network()), retry(2000, 2));
}

#[test]
fn server_errors_are_retried() {
    for code in [500, 502, 503, 504, 599] {
        assert_eq!(decide(&mut policy(exact()), status(code)), retry(1000, 1), "{code}");
    }
}

#[test]
fn request_timeout_and_too_many_requests_are_retried() {
    for code in [408, 429] {
        assert_eq!(decide(&mut policy(exact()), status(code)), retry(1000, 1), "{code}");
    }
}

#[test]
fn other_client_errors_stop_with_an_http_status_error() {
    for code in [400, 401, 403, 404, 405, 410, 422, 451, 499] {
        let decision = decide(&mut policy(exact()), status(code));
        assert_eq!(decision, Decision::Stop { error: Some(status(code)) }, "{code}");
        assert_eq!(stop_kind(&decision), Some("http-status"));
    }
}

#[test]
fn redirects_and_odd_statuses_that_reach_the_policy_stop() {
    for code in [0, 201, 301, 302, 304, 307, 308] {
        assert_eq!(stop_kind(&decide(&mut policy(exact()), status(code))), Some("http-status"), "{code}");
    }
}

#[test]
fn a_wrong_content_type_stops_by_default() {
    let error = StreamError::ContentType { content_type: Some("text/html".into()), body: String::new() };
    assert_eq!(stop_kind(&decide(&mut policy(exact()), error)), Some("content-type"));
}

#[test]
fn a_wrong_content_type_is_retried_when_the_option_says_so() {
    let error = StreamError::ContentType { content_type: None, body: String::new() };
    assert_eq!(decide(&mut policy(exact().retry_on_content_type(true)), error), retry(1000, 1));
}

#[test]
fn a_buffer_overflow_stops() {
    assert_eq!(
        stop_kind(&decide(&mut policy(exact()), StreamError::MaxBuffer { limit: 64 })),
        Some("max-buffer")
    );
}

// The end of the stream.

#[test]
fn a_clean_end_of_the_stream_stops_without_an_error_by_default() {
    let mut p = policy(exact());
    p.on_event("1");
    assert_eq!(p.on_end(5.0), Decision::Stop { error: None });
}

#[test]
fn a_clean_end_reconnects_at_the_base_delay_when_the_option_says_so() {
    let mut p = policy(exact().reconnect_on_end(true));
    p.on_event("1");
    assert_eq!(p.on_end(5.0), retry(1000, 1));
    p.on_event("2");
    assert_eq!(p.on_end(9.0), retry(1000, 1));
}

#[test]
fn a_stream_that_ends_at_once_forever_backs_off_and_meets_max_retries() {
    let mut p = policy(exact().reconnect_on_end(true).max_retries(Some(3)));
    assert_eq!(p.on_end(0.0), retry(1000, 1));
    assert_eq!(p.on_end(0.0), retry(2000, 2));
    assert_eq!(p.on_end(0.0), retry(4000, 3));
    assert_eq!(
        p.on_end(0.0),
        Decision::Stop { error: Some(StreamError::MaxRetries { retries: 3, last: None }) }
    );
}

// The user's onerror.

#[test]
fn an_onerror_delay_is_used_exactly_even_for_an_error_the_policy_would_not_retry() {
    let mut p = policy(ReconnectOptions::default());
    assert_eq!(p.on_error(status(404), Override::Retry { delay_ms: 1234 }, 0.0), retry(1234, 1));
    assert_eq!(p.on_error(network(), Override::Retry { delay_ms: 99_999_999 }, 0.0), retry(99_999_999, 2));
}

#[test]
fn an_onerror_that_throws_stops_even_a_retryable_error() {
    let decision = policy(exact()).on_error(status(503), Override::Stop, 0.0);
    assert_eq!(decision, Decision::Stop { error: Some(status(503)) });
}

#[test]
fn an_onerror_that_returns_nothing_leaves_the_decision_to_the_policy() {
    assert_eq!(policy(exact()).on_error(network(), Override::Default, 0.0), retry(1000, 1));
    assert_eq!(
        stop_kind(&policy(exact()).on_error(status(404), Override::default(), 0.0)),
        Some("http-status")
    );
}

#[test]
fn an_onerror_delay_still_counts_against_max_retries_and_max_elapsed() {
    let mut p = policy(exact().max_retries(Some(1)));
    assert_eq!(p.on_error(status(404), Override::Retry { delay_ms: 10 }, 0.0), retry(10, 1));
    assert_eq!(
        stop_kind(&p.on_error(status(404), Override::Retry { delay_ms: 10 }, 0.0)),
        Some("max-retries")
    );
    let mut p = policy(exact().max_elapsed_ms(Some(1000)));
    assert_eq!(
        stop_kind(&p.on_error(network(), Override::Retry { delay_ms: 1001 }, 0.0)),
        Some("max-elapsed")
    );
}

#[test]
fn a_js_delay_is_read_as_set_timeout_reads_it() {
    assert_eq!(Override::from_js_delay(250.9), Override::Retry { delay_ms: 250 });
    assert_eq!(Override::from_js_delay(-5.0), Override::Retry { delay_ms: 0 });
    assert_eq!(Override::from_js_delay(f64::NAN), Override::Retry { delay_ms: 0 });
    assert_eq!(Override::from_js_delay(f64::INFINITY), Override::Retry { delay_ms: u64::MAX });
}

// Delays.

#[test]
fn the_default_base_delay_is_one_second() {
    let p = policy(ReconnectOptions::default());
    assert_eq!(p.base_delay_ms(), 1000);
    assert_eq!(DEFAULT_BASE_DELAY_MS, 1000);
}

#[test]
fn the_retry_field_sets_the_base_delay() {
    let mut p = policy(exact());
    p.set_base_delay_ms(5000);
    assert_eq!(decide(&mut p, network()), retry(5000, 1));
    assert_eq!(decide(&mut p, network()), retry(10_000, 2));
}

#[test]
fn the_retry_field_survives_a_reconnect_and_a_reset() {
    let mut p = policy(exact());
    p.set_base_delay_ms(300);
    assert_eq!(decide(&mut p, network()), retry(300, 1));
    p.on_event("1");
    assert_eq!(decide(&mut p, network()), retry(300, 1));
}

#[test]
fn consecutive_failures_back_off_exponentially_up_to_the_cap() {
    let mut p = policy(exact().multiplier(3.0).max_delay_ms(20_000));
    let delays: Vec<u64> = (0..6).map(|_| delay(&decide(&mut p, network()))).collect();
    assert_eq!(delays, [1000, 3000, 9000, 20_000, 20_000, 20_000]);
}

#[test]
fn a_multiplier_below_one_or_not_finite_means_no_growth() {
    for multiplier in [0.5, 0.0, -2.0, f64::NAN, f64::INFINITY] {
        let mut p = policy(exact().multiplier(multiplier));
        let delays: Vec<u64> = (0..3).map(|_| delay(&decide(&mut p, network()))).collect();
        assert_eq!(delays, [1000, 1000, 1000], "{multiplier}");
    }
}

#[test]
fn the_cap_also_limits_a_large_retry_field() {
    let mut p = policy(exact().max_delay_ms(5000));
    p.set_base_delay_ms(60_000);
    assert_eq!(decide(&mut p, network()), retry(5000, 1));
}

#[test]
fn jitter_only_adds_and_stays_within_its_fraction() {
    let mut p = policy(ReconnectOptions::default().jitter(0.5).multiplier(1.0));
    let delays: Vec<u64> = (0..200).map(|_| delay(&decide(&mut p, network()))).collect();
    assert!(delays.iter().all(|&d| (1000..1500).contains(&d)), "{delays:?}");
    assert!(delays.iter().any(|&d| d < 1100) && delays.iter().any(|&d| d >= 1400), "not spread: {delays:?}");
}

#[test]
fn jitter_is_reproducible_from_the_seed_and_differs_between_seeds() {
    let run = |seed| {
        let mut p = ReconnectPolicy::new(ReconnectOptions::default(), 0.0, seed);
        (0..5).map(|_| delay(&decide(&mut p, network()))).collect::<Vec<_>>()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn jitter_outside_zero_to_one_is_clamped() {
    let mut p = policy(ReconnectOptions::default().jitter(f64::NAN));
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    let mut p = policy(ReconnectOptions::default().jitter(-1.0));
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    let mut p = policy(ReconnectOptions::default().jitter(50.0).multiplier(1.0));
    assert!((0..50).all(|_| delay(&decide(&mut p, network())) < 2000));
}

#[test]
fn a_zero_retry_field_reconnects_at_once_but_then_backs_off_from_the_floor() {
    let mut p = policy(exact());
    p.set_base_delay_ms(0);
    let delays: Vec<u64> = (0..4).map(|_| delay(&decide(&mut p, network()))).collect();
    assert_eq!(delays, [0, 200, 400, 800]);
}

#[test]
fn a_cap_below_the_floor_wins() {
    let mut p = policy(exact().max_delay_ms(10));
    p.set_base_delay_ms(0);
    let delays: Vec<u64> = (0..3).map(|_| delay(&decide(&mut p, network()))).collect();
    assert_eq!(delays, [0, 10, 10]);
}

#[test]
fn a_retry_after_replaces_the_backoff_and_may_exceed_the_cap() {
    let mut p = policy(exact().max_delay_ms(5000));
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    let error = classify(&ResponseHead::new(429, None).retry_after(Some("60"), 0.0)).error();
    assert_eq!(decide(&mut p, error), retry(60_000, 2));
    assert_eq!(decide(&mut p, network()), retry(4000, 3));
}

#[test]
fn an_unparsable_retry_after_falls_back_to_the_backoff() {
    let error = classify(&ResponseHead::new(503, None).retry_after(Some("later"), 0.0)).error();
    assert_eq!(decide(&mut policy(exact()), error), retry(1000, 1));
}

// Resetting.

#[test]
fn a_connection_that_delivered_an_event_resets_the_retry_count_and_delay() {
    let mut p = policy(exact());
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    assert_eq!(decide(&mut p, network()), retry(2000, 2));
    p.on_event("1");
    assert_eq!(p.retries(), 2, "the reset happens when the connection ends");
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    assert_eq!(p.retries(), 1);
}

#[test]
fn a_connection_that_opened_but_delivered_nothing_does_not_reset() {
    let mut p = policy(exact().max_retries(Some(2)));
    // Each attempt opens (Verdict::Open) and drops before an event.
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    assert_eq!(decide(&mut p, network()), retry(2000, 2));
    assert_eq!(stop_kind(&decide(&mut p, network())), Some("max-retries"));
}

#[test]
fn a_reset_is_used_once() {
    let mut p = policy(exact());
    p.on_event("1");
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    assert_eq!(decide(&mut p, network()), retry(2000, 2));
}

// Limits.

#[test]
fn max_retries_stops_with_the_last_error_as_the_cause() {
    let mut p = policy(exact().max_retries(Some(2)));
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    assert_eq!(decide(&mut p, status(500)), retry(2000, 2));
    let decision = decide(&mut p, status(503));
    assert_eq!(
        decision,
        Decision::Stop {
            error: Some(StreamError::MaxRetries { retries: 2, last: Some(Box::new(status(503))) })
        }
    );
}

#[test]
fn max_retries_of_zero_stops_at_the_first_failure() {
    let decision = decide(&mut policy(exact().max_retries(Some(0))), network());
    assert_eq!(
        decision,
        Decision::Stop {
            error: Some(StreamError::MaxRetries { retries: 0, last: Some(Box::new(network())) })
        }
    );
}

#[test]
fn a_fatal_error_stops_with_itself_not_with_a_limit_error() {
    let decision = decide(&mut policy(exact().max_retries(Some(0))), status(401));
    assert_eq!(stop_kind(&decision), Some("http-status"));
}

#[test]
fn max_elapsed_stops_when_the_next_retry_would_start_too_late() {
    let mut p = ReconnectPolicy::new(exact().max_elapsed_ms(Some(5000)), 100.0, 7);
    assert_eq!(p.on_error(network(), Override::Default, 100.0), retry(1000, 1)); // starts at 1100
    assert_eq!(p.on_error(network(), Override::Default, 1200.0), retry(2000, 2)); // starts at 3200
    assert_eq!(
        p.on_error(network(), Override::Default, 3300.0),
        Decision::Stop {
            error: Some(StreamError::MaxElapsed {
                elapsed_ms: 3200,
                limit_ms: 5000,
                last: Some(Box::new(network()))
            })
        }
    );
}

#[test]
fn a_retry_after_beyond_max_elapsed_stops_at_once() {
    let mut p = policy(exact().max_elapsed_ms(Some(30_000)));
    let error = classify(&ResponseHead::new(503, None).retry_after(Some("3600"), 0.0)).error();
    assert_eq!(stop_kind(&decide(&mut p, error)), Some("max-elapsed"));
}

#[test]
fn max_elapsed_is_measured_from_the_start_of_the_failure_streak() {
    let mut p = policy(exact().max_elapsed_ms(Some(5000)));
    p.on_event("1");
    // The stream was healthy for an hour; the streak starts at its failure.
    assert_eq!(p.on_error(network(), Override::Default, 3_600_000.0), retry(1000, 1));
    assert_eq!(p.on_error(network(), Override::Default, 3_601_100.0), retry(2000, 2));
}

#[test]
fn a_clock_that_goes_backwards_or_is_nan_counts_as_no_time_passed() {
    let mut p = ReconnectPolicy::new(exact().max_elapsed_ms(Some(5000)), 1000.0, 7);
    assert_eq!(p.on_error(network(), Override::Default, 0.0), retry(1000, 1));
    assert_eq!(p.on_error(network(), Override::Default, f64::NAN), retry(2000, 2));
}

// Request headers.

#[test]
fn the_first_request_asks_for_an_event_stream() {
    let p = policy(exact());
    assert_eq!(p.request_headers(["Authorization"]), [("Accept", "text/event-stream".to_string())]);
}

#[test]
fn a_callers_accept_header_is_kept_whatever_its_case() {
    let p = policy(exact());
    for name in ["Accept", "accept", "ACCEPT", " Accept "] {
        assert!(p.request_headers(["X-Other", name]).is_empty(), "{name:?}");
    }
}

#[test]
fn last_event_id_is_sent_only_when_not_empty() {
    let mut p = policy(exact());
    p.on_event("");
    assert!(p.request_headers(["accept"]).is_empty());
    p.on_event("42");
    assert_eq!(p.request_headers(["accept"]), [("Last-Event-ID", "42".to_string())]);
    // An empty `id:` field resets the last event ID; then no header is sent.
    p.on_event("");
    assert!(p.request_headers(["accept"]).is_empty());
}

#[test]
fn a_non_ascii_last_event_id_is_sent_as_utf8_bytes() {
    let mut p = policy(exact());
    p.on_event("é✓");
    let headers = p.request_headers(["accept"]);
    assert_eq!(headers, [("Last-Event-ID", "\u{c3}\u{a9}\u{e2}\u{9c}\u{93}".to_string())]);
    assert!(headers[0].1.chars().all(|c| (c as u32) <= 0xFF));
}

#[test]
fn a_stored_last_event_id_can_seed_a_run() {
    let mut p = policy(exact());
    p.set_last_event_id("abc");
    assert_eq!(p.last_event_id(), "abc");
    assert_eq!(p.request_headers(["accept"]), [("Last-Event-ID", "abc".to_string())]);
}

// Errors.

#[test]
fn every_error_kind_matches_the_js_type_name() {
    let kinds: Vec<&str> = [
        status(500),
        StreamError::ContentType { content_type: None, body: String::new() },
        network(),
        StreamError::IdleTimeout { timeout_ms: 1 },
        StreamError::MaxBuffer { limit: 1 },
        StreamError::MaxRetries { retries: 1, last: None },
        StreamError::MaxElapsed { elapsed_ms: 1, limit_ms: 1, last: None },
    ]
    .iter()
    .map(StreamError::kind)
    .collect();
    assert_eq!(
        kinds,
        [
            "http-status",
            "content-type",
            "network",
            "idle-timeout",
            "max-buffer",
            "max-retries",
            "max-elapsed"
        ]
    );
}

#[test]
fn errors_display_a_readable_message_and_chain_their_cause() {
    let error = StreamError::MaxRetries { retries: 3, last: Some(Box::new(status(502))) };
    assert_eq!(error.to_string(), "gave up after 3 retries");
    assert_eq!(error.source().map(ToString::to_string).as_deref(), Some("unexpected HTTP status 502"));
    let head = ResponseHead::new(404, None).status_text("Not Found");
    assert_eq!(classify(&head).error().to_string(), "unexpected HTTP status 404 Not Found");
    assert!(network().source().is_none());
}

#[test]
fn a_body_excerpt_is_cut_at_one_kilobyte_on_a_char_boundary() {
    let body = "é".repeat(600); // 1200 bytes, every character two bytes
    let excerpt = body_excerpt(body.as_bytes());
    assert_eq!(excerpt.len(), 1024);
    let body = format!("a{}", "é".repeat(600)); // the boundary falls inside a character
    assert_eq!(body_excerpt(body.as_bytes()).len(), 1023);
    assert_eq!(body_excerpt(b"short"), "short");
}

#[test]
fn a_body_excerpt_replaces_invalid_utf8() {
    assert_eq!(body_excerpt(b"ok\xFFok\xE2\x9C"), "ok\u{FFFD}ok\u{FFFD}");
}

#[test]
fn with_body_fills_http_status_and_content_type_errors_only() {
    let error = status(500).with_body(b"Internal Server Error");
    assert!(matches!(error, StreamError::HttpStatus { ref body, .. } if body == "Internal Server Error"));
    let error = StreamError::ContentType { content_type: None, body: String::new() }.with_body(b"<html>");
    assert!(matches!(error, StreamError::ContentType { ref body, .. } if body == "<html>"));
    assert_eq!(network().with_body(b"x"), network());
}

// Metrics.

#[test]
fn metrics_record_each_connections_own_times_and_running_totals() {
    let mut m = Metrics::new(1000.0);
    m.on_headers(1100.0);
    m.on_bytes(0, 1150.0);
    m.on_bytes(10, 1200.0);
    m.on_event(1250.0);
    assert_eq!(
        (m.time_to_headers_ms, m.time_to_first_byte_ms, m.time_to_first_event_ms),
        (Some(100.0), Some(200.0), Some(250.0))
    );
    m.on_reconnect(4000.0);
    assert_eq!((m.time_to_headers_ms, m.time_to_first_byte_ms, m.time_to_first_event_ms), (None, None, None));
    m.on_headers(4030.0);
    m.on_bytes(5, 4100.0);
    m.on_event(4200.0);
    assert_eq!(m.time_to_headers_ms, Some(30.0));
    assert_eq!(m.time_to_first_byte_ms, Some(100.0));
    assert_eq!(m.time_to_first_event_ms, Some(200.0));
    assert_eq!((m.bytes, m.events, m.reconnects), (15, 2, 1));
}

#[test]
fn a_network_error_says_network_once() {
    let said = |message: &str| StreamError::Network { message: message.into() }.to_string();
    assert_eq!(said("network error"), "network error");
    assert_eq!(
        said("NetworkError when attempting to fetch resource."),
        "NetworkError when attempting to fetch resource."
    );
    assert_eq!(said("Failed to fetch"), "network error: Failed to fetch");
}

#[test]
fn metrics_start_empty_and_never_report_negative_times() {
    let mut m = Metrics::new(1000.0);
    assert_eq!((m.time_to_headers_ms, m.bytes, m.events, m.reconnects), (None, 0, 0, 0));
    m.on_headers(500.0);
    m.on_event(f64::NAN);
    assert_eq!(m.time_to_headers_ms, Some(0.0));
    assert_eq!(m.time_to_first_event_ms, Some(0.0));
    assert_eq!(m.since_start(1500.0), 500.0);
}

// Properties.

impl Verdict {
    fn error(self) -> StreamError {
        match self {
            Verdict::Error(error) => error,
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

/// What can happen to one attempt, for the property tests.
#[derive(Debug, Clone)]
enum Step {
    Fail(u16),
    Network,
    Idle,
    RetryField(u64),
    RetryAfter(u16, u64),
    End,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop::sample::select(vec![408u16, 429, 500, 502, 503, 504]).prop_map(Step::Fail),
        Just(Step::Network),
        Just(Step::Idle),
        (0u64..100_000).prop_map(Step::RetryField),
        (prop::sample::select(vec![429u16, 503]), 0u64..100_000)
            .prop_map(|(s, secs)| Step::RetryAfter(s, secs)),
        Just(Step::End),
    ]
}

fn options() -> impl Strategy<Value = ReconnectOptions> {
    (0u64..100_000, -1.0f64..10.0, 0u64..200_000, -0.5f64..1.5, any::<bool>()).prop_map(
        |(base, multiplier, max_delay, jitter, on_end)| {
            ReconnectOptions::default()
                .base_delay_ms(base)
                .multiplier(multiplier)
                .max_delay_ms(max_delay)
                .jitter(jitter)
                .reconnect_on_end(on_end)
        },
    )
}

/// Runs one step; `None` when the policy stopped, else the retry delay and
/// whether the server set it with `Retry-After`.
fn run_step(p: &mut ReconnectPolicy, step: &Step, now: f64) -> Option<(u64, Option<u64>)> {
    let (error, retry_after) = match *step {
        Step::Fail(code) => (status(code), None),
        Step::Network => (network(), None),
        Step::Idle => (StreamError::IdleTimeout { timeout_ms: 1 }, None),
        Step::RetryField(ms) => {
            p.set_base_delay_ms(ms);
            (network(), None)
        }
        Step::RetryAfter(code, secs) => {
            let seconds = secs.to_string();
            let head = ResponseHead::new(code, None).retry_after(Some(&seconds), now);
            (classify(&head).error(), Some(secs * 1000))
        }
        Step::End => {
            return match p.on_end(now) {
                Decision::Retry { delay_ms, .. } => Some((delay_ms, None)),
                Decision::Stop { .. } => None,
            }
        }
    };
    match p.on_error(error, Override::Default, now) {
        Decision::Retry { delay_ms, .. } => Some((delay_ms, retry_after)),
        Decision::Stop { .. } => None,
    }
}

proptest! {
    #[test]
    fn computed_delays_are_always_within_zero_and_max_delay(
        options in options(),
        seed in any::<u64>(),
        steps in prop::collection::vec(step(), 1..60),
    ) {
        let max = options.max_delay_ms;
        let mut p = ReconnectPolicy::new(options, 0.0, seed);
        let mut now = 0.0;
        for step in &steps {
            let Some((delay, retry_after)) = run_step(&mut p, step, now) else { break };
            match retry_after {
                Some(asked) => prop_assert_eq!(delay, asked),
                None => prop_assert!(delay <= max, "{} > {}", delay, max),
            }
            now += delay as f64 + 1.0;
        }
    }

    #[test]
    fn max_retries_always_ends_a_run_without_events(
        options in options(),
        max in 0u32..20,
        seed in any::<u64>(),
        steps in prop::collection::vec(step(), 1..100),
    ) {
        let mut p = ReconnectPolicy::new(options.reconnect_on_end(true).max_retries(Some(max)), 0.0, seed);
        let mut ran = 0;
        for step in steps.iter().cycle().take(max as usize + 1) {
            if run_step(&mut p, step, 0.0).is_none() {
                break;
            }
            ran += 1;
        }
        prop_assert!(ran <= max);
        prop_assert!(run_step(&mut p, &Step::Network, 0.0).is_none());
    }

    #[test]
    fn max_elapsed_always_ends_a_run_and_no_retry_starts_after_it(
        options in options(),
        limit in 0u64..20_000,
        attempt_ms in 1u64..500,
        seed in any::<u64>(),
        steps in prop::collection::vec(step(), 1..100),
    ) {
        let mut p = ReconnectPolicy::new(options.reconnect_on_end(true).max_elapsed_ms(Some(limit)), 0.0, seed);
        let mut now = 0.0;
        let mut stopped = false;
        // Each attempt takes at least 1 ms, so at most `limit + 1` attempts fit.
        for step in steps.iter().cycle().take(limit as usize + 2) {
            match run_step(&mut p, step, now) {
                None => { stopped = true; break; }
                Some((delay, _)) => {
                    prop_assert!(now + delay as f64 <= limit as f64);
                    now += delay as f64 + attempt_ms as f64;
                }
            }
        }
        prop_assert!(stopped);
    }

    #[test]
    fn formatting_any_instant_as_an_http_date_and_parsing_it_gives_it_back(unix_s in -2_000_000_000i64..250_000_000_000) {
        let (imf, asctime) = format_http_dates(unix_s);
        prop_assert_eq!(parse_http_date(&imf, 0), Some(unix_s), "{}", imf);
        prop_assert_eq!(parse_http_date(&asctime, 0), Some(unix_s), "{}", asctime);
    }

    #[test]
    fn no_header_value_makes_the_parsers_panic(chars in prop::collection::vec(any::<char>(), 0..64), now in any::<f64>()) {
        let value: String = chars.into_iter().collect();
        let _ = parse_http_date(&value, now as i64);
        let _ = parse_retry_after(&value, now);
        let _ = is_event_stream(&value);
        let head = ResponseHead::new(503, Some(&value)).retry_after(Some(&value), now).date(Some(&value));
        let _ = classify(&head);
    }

    #[test]
    fn a_body_excerpt_is_a_bounded_prefix_of_the_decoded_body(bytes in prop::collection::vec(any::<u8>(), 0..1100)) {
        let excerpt = body_excerpt(&bytes);
        prop_assert!(excerpt.len() <= BODY_EXCERPT_LIMIT);
        let decoded = String::from_utf8_lossy(&bytes);
        prop_assert!(decoded.starts_with(&excerpt));
        if decoded.len() <= BODY_EXCERPT_LIMIT {
            prop_assert_eq!(excerpt, decoded);
        }
    }
}

/// The IMF-fixdate and asctime forms of an instant, written independently of the
/// parser (civil-from-days by counting years and months).
fn format_http_dates(unix_s: i64) -> (String, String) {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (mut days, secs) = (unix_s.div_euclid(86_400), unix_s.rem_euclid(86_400));
    let weekday = DAYS[days.rem_euclid(7) as usize];
    let leap = |y: i64| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let mut year = 1970;
    while days < 0 {
        year -= 1;
        days += if leap(year) { 366 } else { 365 };
    }
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let lengths = [31, if leap(year) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    let (day, time) = (days + 1, format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60));
    (
        format!("{weekday}, {day:02} {} {year:04} {time} GMT", MONTHS[month]),
        format!("{weekday} {} {day:>2} {time} {year:04}", MONTHS[month]),
    )
}

// Resume or restart, never glue.

fn restart(delay_ms: u64, retry: u32) -> Decision {
    Decision::Retry { delay_ms, retry, restart: true }
}

#[test]
fn a_post_that_delivered_events_without_an_id_is_not_sent_again() {
    let mut p = policy(exact().method("POST"));
    p.on_event("");
    match decide(&mut p, network()) {
        Decision::Stop { error: Some(StreamError::Unresumable { last }) } => {
            assert_eq!(*last, network());
        }
        other => panic!("{other:?}"),
    }
    // The JS error says `network`, and its message says why it stopped.
    let error = StreamError::Unresumable { last: Box::new(network()) };
    assert_eq!(error.kind(), "network");
    assert!(error.to_string().contains("restartWithoutId"), "{error}");
}

#[test]
fn a_post_that_failed_before_any_event_is_retried_as_usual() {
    let mut p = policy(exact().method("post"));
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    assert_eq!(decide(&mut p, status(503)), retry(2000, 2));
}

#[test]
fn a_post_with_a_dispatched_id_resumes() {
    let mut p = policy(exact().method("POST"));
    p.on_event("");
    p.on_event("42");
    assert_eq!(decide(&mut p, network()), retry(1000, 1));
    assert_eq!(p.request_headers(Vec::<&str>::new())[1], ("Last-Event-ID", "42".to_owned()));
}

#[test]
fn a_get_without_ids_restarts_as_event_source_does() {
    for method in ["GET", "head"] {
        let mut p = policy(exact().method(method));
        p.on_event("");
        assert_eq!(decide(&mut p, network()), restart(1000, 1), "{method}");
        // The new attempt starts over: until it dispatches, a failure is a plain retry.
        assert_eq!(decide(&mut p, network()), retry(2000, 2), "{method}");
    }
}

#[test]
fn restart_without_id_sends_a_post_again_and_says_it_restarts() {
    let mut p = policy(exact().method("POST").restart_without_id(true));
    p.on_event("");
    assert_eq!(decide(&mut p, network()), restart(1000, 1));
}

#[test]
fn a_delay_from_onerror_restarts_a_post_that_cannot_resume() {
    let mut p = policy(exact().method("POST"));
    p.on_event("");
    assert_eq!(p.on_error(network(), Override::Retry { delay_ms: 5 }, 0.0), restart(5, 1));
}

#[test]
fn errors_that_are_not_retried_stay_what_they_are_after_events() {
    let mut p = policy(exact().method("POST"));
    p.on_event("");
    assert_eq!(stop_kind(&decide(&mut p, status(404))), Some("http-status"));
}

#[test]
fn reconnect_on_end_without_ids_restarts() {
    let mut p = policy(exact().reconnect_on_end(true).method("POST"));
    p.on_event("");
    assert_eq!(p.on_end(0.0), restart(1000, 1));
}
