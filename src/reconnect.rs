//! The reconnect policy: what happened in, what to do next out, no I/O.
//!
//! The glue that runs `fetch()` reports each step of a connection to a
//! [`ReconnectPolicy`] and gets back a [`Decision`]; it owns the clocks, timers
//! and callbacks, and passes times in as milliseconds. One run looks like this:
//!
//! ```
//! use wasm_sse::reconnect::{classify, Decision, Override, ReconnectOptions, ReconnectPolicy, ResponseHead, Verdict};
//!
//! let mut policy = ReconnectPolicy::new(ReconnectOptions::default().jitter(0.0), 0.0, 42);
//! // Attempt 1: the caller set no Accept header, and there is no last event ID yet.
//! assert_eq!(policy.request_headers(["Content-Type"]), [("Accept", "text/event-stream".to_string())]);
//! let head = ResponseHead::new(503, Some("text/plain")).retry_after(Some("2"), 0.0);
//! let Verdict::Error(error) = classify(&head) else { unreachable!() };
//! // The glue hands `error` to the user's `onerror`, which returned nothing.
//! assert_eq!(policy.on_error(error, Override::Default, 10.0), Decision::Retry { delay_ms: 2000, retry: 1, restart: false });
//! // Attempt 2 opens, delivers an event with ID "7", then the network drops.
//! assert!(matches!(classify(&ResponseHead::new(200, Some("text/event-stream"))), Verdict::Open));
//! policy.on_event("7");
//! assert_eq!(
//!     policy.request_headers(Vec::<&str>::new()),
//!     [("Accept", "text/event-stream".to_string()), ("Last-Event-ID", "7".to_string())]
//! );
//! ```
//!
//! # The rules
//!
//! * **Opening.** Status 200 with the media type `text/event-stream` opens the
//!   stream; 204 ends it without an error; anything else is a [`StreamError`].
//!   See [`classify`].
//! * **Retrying.** Network errors, idle timeouts, 5xx, 408 and 429 are retried;
//!   other statuses, a wrong content type (unless
//!   [`ReconnectOptions::retry_on_content_type`]) and a buffer overflow stop the
//!   run. A clean end of the stream stops it too, unless
//!   [`ReconnectOptions::reconnect_on_end`] asks for the spec's behaviour.
//! * **The user decides first.** The JS `onerror(err)` may return a delay (retry
//!   after exactly that long, even for an error we would not retry), return nothing
//!   (the rules above apply) or throw (stop): see [`Override`]. `max_retries` and
//!   `max_elapsed_ms` bound every run, whoever chose the delay.
//! * **Delays.** The base delay is the spec's "reconnection time": 1000 ms, or the
//!   last `retry:` field. The `n`-th consecutive retry waits
//!   `min(base × multiplierⁿ⁻¹ × (1 + jitter × r), max_delay_ms)` with `r` uniform
//!   in `[0, 1)`. Jitter only ever adds, because the spec says to "wait a delay
//!   equal to the reconnection time of the event source" and then "optionally,
//!   wait some more"; clients that failed together still spread out, since each
//!   one's phase is the sum of its own jittered delays. From the second retry on,
//!   the delay is at least [`MIN_BACKOFF_MS`] (capped by `max_delay_ms`), so a
//!   server that sends `retry: 0` and then fails cannot put the client in a hot
//!   loop. A `Retry-After` header on a 429 or 503 replaces the computed delay and
//!   is honoured in full, even above `max_delay_ms` (the server knows when it will
//!   be ready; a retry before that only earns another 429).
//! * **When the counter resets.** A connection that delivered at least one event
//!   was a success: the next failure starts a new streak, with retry 1, the base
//!   delay, and a fresh `max_elapsed_ms` clock. Opening is not enough, so a server
//!   that accepts and hangs up at once, forever, still meets the backoff and
//!   `max_retries`. Its limit: a server that sends one event on every connection
//!   and then hangs up looks like a healthy stream resuming from `Last-Event-ID`,
//!   and is retried at the base delay for as long as it does so.
//! * **Resume or restart, never glue.** A request sent again continues the
//!   stream only when the server can resume it: a last event ID was dispatched,
//!   and goes out as `Last-Event-ID`. When events were dispatched and there is
//!   no ID (OpenAI, Anthropic and their peers send none), a new request starts
//!   the answer over, and appending it to what was shown would glue two answers
//!   together. Such a retry is made only for an idempotent request (GET, HEAD:
//!   `EventSource`'s own behaviour), when [`ReconnectOptions::restart_without_id`]
//!   asks for it, or when the user's `onerror` returns a delay; it is then a
//!   [`Decision::Retry`] with `restart`, and the glue starts its consumers over.
//!   Otherwise the run stops with [`StreamError::Unresumable`], and the user
//!   does not pay for a second answer unasked.

mod http_date;
mod replay;

pub use http_date::parse_http_date;
pub use replay::{Replay, REPLAY_MEMORY};

use crate::parser::Quoted;
use http_date::is_http_whitespace;
use std::error::Error;
use std::fmt;

/// The base delay before the first option or `retry:` field changes it: the
/// spec's suggested reconnection time of "a few seconds" as most clients read it.
pub const DEFAULT_BASE_DELAY_MS: u64 = 1000;

/// The least delay of the second and later consecutive retries (unless
/// `max_delay_ms` is lower). See the module docs.
pub const MIN_BACKOFF_MS: u64 = 100;

/// The most bytes of a response body kept in an error; see [`body_excerpt`].
pub const BODY_EXCERPT_LIMIT: usize = 1024;

/// Retry settings. Build them from [`ReconnectOptions::default`] with the setters.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReconnectOptions {
    /// The delay of the first retry until a `retry:` field changes it.
    /// Default [`DEFAULT_BASE_DELAY_MS`].
    pub base_delay_ms: u64,
    /// Each consecutive failure multiplies the delay by this. Default 2; values
    /// below 1, and NaN or infinity, mean 1 (no growth).
    pub multiplier: f64,
    /// No computed delay is longer. Default 30 000.
    pub max_delay_ms: u64,
    /// The random fraction of a delay added to it: 0 means none, 1 up to double.
    /// Default 0.3; clamped to `[0, 1]`, NaN means 0.
    pub jitter: f64,
    /// Stop after this many consecutive retries. `None` (the default) means no
    /// limit, as with `EventSource`.
    pub max_retries: Option<u32>,
    /// Stop when a retry would start more than this long after the failure streak
    /// began. `None` (the default) means no limit.
    pub max_elapsed_ms: Option<u64>,
    /// Retry a 200 response whose content type is not `text/event-stream` instead
    /// of stopping. Default `false`: the spec fails such a connection for good.
    pub retry_on_content_type: bool,
    /// Reconnect when the server ends the stream cleanly, as `EventSource` does.
    /// Default `false`: the run ends (the promise resolves), as with
    /// @microsoft/fetch-event-source.
    pub reconnect_on_end: bool,
    /// Whether sending the request again is harmless: the glue sets it from the
    /// method (GET and HEAD are). Default `true`.
    pub idempotent: bool,
    /// Send a non-idempotent request again even when the stream cannot resume
    /// (events came, none had an ID), starting the answer over. Default `false`:
    /// stop with [`StreamError::Unresumable`]. See the module docs.
    pub restart_without_id: bool,
}

impl Default for ReconnectOptions {
    fn default() -> Self {
        ReconnectOptions {
            base_delay_ms: DEFAULT_BASE_DELAY_MS,
            multiplier: 2.0,
            max_delay_ms: 30_000,
            jitter: 0.3,
            max_retries: None,
            max_elapsed_ms: None,
            retry_on_content_type: false,
            reconnect_on_end: false,
            idempotent: true,
            restart_without_id: false,
        }
    }
}

impl ReconnectOptions {
    /// Sets [`ReconnectOptions::base_delay_ms`].
    pub fn base_delay_ms(mut self, ms: u64) -> Self {
        self.base_delay_ms = ms;
        self
    }
    /// Sets [`ReconnectOptions::multiplier`].
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = multiplier;
        self
    }
    /// Sets [`ReconnectOptions::max_delay_ms`].
    pub fn max_delay_ms(mut self, ms: u64) -> Self {
        self.max_delay_ms = ms;
        self
    }
    /// Sets [`ReconnectOptions::jitter`].
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = fraction;
        self
    }
    /// Sets [`ReconnectOptions::max_retries`].
    pub fn max_retries(mut self, retries: Option<u32>) -> Self {
        self.max_retries = retries;
        self
    }
    /// Sets [`ReconnectOptions::max_elapsed_ms`].
    pub fn max_elapsed_ms(mut self, ms: Option<u64>) -> Self {
        self.max_elapsed_ms = ms;
        self
    }
    /// Sets [`ReconnectOptions::retry_on_content_type`].
    pub fn retry_on_content_type(mut self, retry: bool) -> Self {
        self.retry_on_content_type = retry;
        self
    }
    /// Sets [`ReconnectOptions::reconnect_on_end`].
    pub fn reconnect_on_end(mut self, reconnect: bool) -> Self {
        self.reconnect_on_end = reconnect;
        self
    }
    /// Sets [`ReconnectOptions::idempotent`].
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }
    /// Sets [`ReconnectOptions::idempotent`] from the request method: GET and
    /// HEAD (in any letter case, as fetch normalizes them) are idempotent.
    pub fn method(self, method: &str) -> Self {
        let idempotent = method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD");
        self.idempotent(idempotent)
    }
    /// Sets [`ReconnectOptions::restart_without_id`].
    pub fn restart_without_id(mut self, restart: bool) -> Self {
        self.restart_without_id = restart;
        self
    }

    fn sane_multiplier(&self) -> f64 {
        if self.multiplier.is_finite() && self.multiplier > 1.0 {
            self.multiplier
        } else {
            1.0
        }
    }

    fn sane_jitter(&self) -> f64 {
        if self.jitter.is_nan() {
            0.0
        } else {
            self.jitter.clamp(0.0, 1.0)
        }
    }
}

/// Why a run failed, or would have failed had the policy not retried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamError {
    /// The response status was not 200 or 204. Retried for 408, 429 and 5xx.
    HttpStatus {
        /// The status code (0 for an opaque response, such as a manual redirect).
        status: u16,
        /// The status text, possibly empty (HTTP/2 has none).
        status_text: String,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The start of the response body; see [`StreamError::with_body`].
        body: String,
        /// How long the `Retry-After` header of a 429 or 503 asks to wait.
        retry_after_ms: Option<u64>,
    },
    /// Status 200 with a media type other than `text/event-stream`, or none.
    ContentType {
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The start of the response body; see [`StreamError::with_body`].
        body: String,
    },
    /// `fetch()` rejected or reading the body failed (the connection dropped).
    Network {
        /// The message of the JS error.
        message: String,
    },
    /// No response headers, or no byte of the body, arrived for the configured
    /// idle time; treated as a network error.
    IdleTimeout {
        /// The idle time that passed, in milliseconds.
        timeout_ms: u64,
    },
    /// A line or event outgrew the parser's buffer limit. Not retried: the
    /// resumed stream would meet the same event again.
    MaxBuffer {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The run stopped after `max_retries` consecutive retries.
    MaxRetries {
        /// How many retries were made.
        retries: u32,
        /// The failure that would have needed one more; `None` for a clean end of
        /// the stream with [`ReconnectOptions::reconnect_on_end`].
        last: Option<Box<StreamError>>,
    },
    /// The stream failed after delivering events without an ID, so a new
    /// request could not resume it, and the request is not idempotent: it was
    /// not sent again (see [`ReconnectOptions::restart_without_id`]). The JS
    /// error's `type` is `network`, with `resumable: false`.
    Unresumable {
        /// The failure that would have been retried.
        last: Box<StreamError>,
    },
    /// The run stopped because the next retry would start after `max_elapsed_ms`.
    MaxElapsed {
        /// The time since the failure streak began, in milliseconds.
        elapsed_ms: u64,
        /// The configured limit, in milliseconds.
        limit_ms: u64,
        /// The last failure, as for [`StreamError::MaxRetries`].
        last: Option<Box<StreamError>>,
    },
}

impl StreamError {
    /// A short stable name, the same as the `type` of the JS error.
    pub fn kind(&self) -> &'static str {
        match self {
            StreamError::HttpStatus { .. } => "http-status",
            StreamError::ContentType { .. } => "content-type",
            StreamError::Network { .. } | StreamError::Unresumable { .. } => "network",
            StreamError::IdleTimeout { .. } => "idle-timeout",
            StreamError::MaxBuffer { .. } => "max-buffer",
            StreamError::MaxRetries { .. } => "max-retries",
            StreamError::MaxElapsed { .. } => "max-elapsed",
        }
    }

    /// Stores an excerpt of the response body (see [`body_excerpt`]) in an
    /// `HttpStatus` or `ContentType` error; other errors are returned unchanged.
    /// The glue reads at most `BODY_EXCERPT_LIMIT + 3` bytes and passes them here.
    pub fn with_body(mut self, bytes: &[u8]) -> Self {
        if let StreamError::HttpStatus { body, .. } | StreamError::ContentType { body, .. } = &mut self {
            *body = body_excerpt(bytes);
        }
        self
    }

    /// The delay a `Retry-After` header asked for, if this error carries one.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            StreamError::HttpStatus { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    /// Whether the policy retries this error when the user's `onerror` returns
    /// nothing.
    fn retried_by_default(&self, options: &ReconnectOptions) -> bool {
        match self {
            StreamError::HttpStatus { status, .. } => matches!(status, 408 | 429 | 500..=599),
            StreamError::ContentType { .. } => options.retry_on_content_type,
            StreamError::Network { .. } | StreamError::IdleTimeout { .. } => true,
            StreamError::MaxBuffer { .. }
            | StreamError::MaxRetries { .. }
            | StreamError::MaxElapsed { .. }
            | StreamError::Unresumable { .. } => false,
        }
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::HttpStatus { status, status_text, .. } if status_text.is_empty() => {
                write!(f, "unexpected HTTP status {status}")
            }
            StreamError::HttpStatus { status, status_text, .. } => {
                write!(f, "unexpected HTTP status {status} {status_text}")
            }
            StreamError::ContentType { content_type: Some(content_type), .. } => {
                write!(f, "expected content type text/event-stream, got {}", Quoted(content_type))
            }
            StreamError::ContentType { content_type: None, .. } => {
                write!(f, "expected content type text/event-stream, got none")
            }
            // Browsers' own messages often say it already ("network error",
            // "NetworkError when attempting to fetch resource."): say it once.
            StreamError::Network { message } if message.to_ascii_lowercase().starts_with("network") => {
                f.write_str(message)
            }
            StreamError::Network { message } => write!(f, "network error: {message}"),
            StreamError::IdleTimeout { timeout_ms } => {
                write!(f, "no data received for {timeout_ms} ms")
            }
            StreamError::MaxBuffer { limit } => {
                write!(f, "a line or event exceeded the maximum buffer size of {limit} bytes")
            }
            StreamError::MaxRetries { retries, .. } => write!(f, "gave up after {retries} retries"),
            StreamError::Unresumable { last } => write!(
                f,
                "{last}; the stream sent no event ID to resume from, and the request was not sent again \
                 because it is not idempotent (set restartWithoutId to start the answer over)"
            ),
            StreamError::MaxElapsed { elapsed_ms, limit_ms, .. } => {
                write!(f, "gave up after {elapsed_ms} ms of retrying (limit {limit_ms} ms)")
            }
        }
    }
}

impl Error for StreamError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            StreamError::MaxRetries { last: Some(last), .. }
            | StreamError::MaxElapsed { last: Some(last), .. }
            | StreamError::Unresumable { last } => Some(&**last),
            _ => None,
        }
    }
}

/// The start of a response body as text: invalid UTF-8 becomes U+FFFD, and the
/// result is cut to at most [`BODY_EXCERPT_LIMIT`] bytes at a character boundary.
///
/// Only the first `BODY_EXCERPT_LIMIT + 3` bytes are looked at: a character that
/// starts inside the limit ends within them.
pub fn body_excerpt(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(BODY_EXCERPT_LIMIT + 3)];
    let mut text = String::from_utf8_lossy(head).into_owned();
    if text.len() > BODY_EXCERPT_LIMIT {
        let mut end = BODY_EXCERPT_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Whether a `Content-Type` header value names the `text/event-stream` media type.
///
/// Letter case, parameters and surrounding whitespace do not matter. A value that
/// combines several headers with commas is read as fetch's "extract a MIME type"
/// does: the last media type that parses wins.
///
/// ```
/// use wasm_sse::reconnect::is_event_stream;
///
/// assert!(is_event_stream(" Text/Event-Stream ; charset=utf-8"));
/// assert!(!is_event_stream("text/event-stream-not"));
/// assert!(!is_event_stream("text/html, text/event-stream;x=\",\", text/plain"));
/// ```
pub fn is_event_stream(content_type: &str) -> bool {
    let mut last = None;
    for piece in split_outside_quotes(content_type, ',') {
        let essence = piece.split(';').next().unwrap_or("").trim_matches(is_http_whitespace);
        let Some((kind, subtype)) = essence.split_once('/') else {
            continue;
        };
        if is_token(kind) && is_token(subtype) && essence != "*/*" {
            last = Some(essence);
        }
    }
    last.is_some_and(|essence| essence.eq_ignore_ascii_case("text/event-stream"))
}

/// Splits on `separator` where it is not inside a double-quoted string.
fn split_outside_quotes(value: &str, separator: char) -> impl Iterator<Item = &str> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let text = rest?;
        let (mut quoted, mut escaped) = (false, false);
        for (at, c) in text.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                c if c == separator && !quoted => {
                    rest = Some(&text[at + c.len_utf8()..]);
                    return Some(&text[..at]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(text)
    })
}

/// An HTTP token: one or more of ``!#$%&'*+-.^_`|~``, digits and letters.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses a `Retry-After` value into a delay in milliseconds: either
/// `delay-seconds` (ASCII digits, saturating) or an HTTP-date, measured from
/// `now_unix_ms` (a date in the past means 0). `None` when the value is neither,
/// or when it is a date and `now_unix_ms` is not finite.
///
/// ```
/// use wasm_sse::reconnect::parse_retry_after;
///
/// assert_eq!(parse_retry_after(" 120 ", 0.0), Some(120_000));
/// assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:05 GMT", 1500.0), Some(3500));
/// assert_eq!(parse_retry_after("-1", 0.0), None);
/// ```
pub fn parse_retry_after(value: &str, now_unix_ms: f64) -> Option<u64> {
    let value = value.trim_matches(is_http_whitespace);
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds =
            value.bytes().fold(0u64, |n, digit| n.saturating_mul(10).saturating_add(u64::from(digit - b'0')));
        return Some(seconds.saturating_mul(1000));
    }
    if !now_unix_ms.is_finite() {
        return None;
    }
    // `as` saturates, so any finite clock gives a usable number of seconds.
    let date_s = parse_http_date(value, (now_unix_ms / 1000.0).floor() as i64)?;
    let delay = date_s as f64 * 1000.0 - now_unix_ms;
    Some(if delay > 0.0 { delay.ceil() as u64 } else { 0 })
}

/// The status line and headers of a response, as the policy needs them.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ResponseHead<'a> {
    /// `Response.status`.
    pub status: u16,
    /// `Response.statusText`.
    pub status_text: &'a str,
    /// The `Content-Type` header.
    pub content_type: Option<&'a str>,
    /// The `Retry-After` header.
    pub retry_after: Option<&'a str>,
    /// The `Date` header: when present and valid, an HTTP-date `Retry-After` is
    /// measured from it rather than from the client's clock, so clock skew
    /// between client and server does not matter.
    pub date: Option<&'a str>,
    /// The client's wall clock (`Date.now()`), for an HTTP-date `Retry-After`
    /// when the response has no usable `Date` header.
    pub now_unix_ms: f64,
}

impl<'a> ResponseHead<'a> {
    /// A response with this status and `Content-Type` and nothing else.
    pub fn new(status: u16, content_type: Option<&'a str>) -> Self {
        ResponseHead {
            status,
            status_text: "",
            content_type,
            retry_after: None,
            date: None,
            now_unix_ms: f64::NAN,
        }
    }
    /// Sets [`ResponseHead::status_text`].
    pub fn status_text(mut self, text: &'a str) -> Self {
        self.status_text = text;
        self
    }
    /// Sets [`ResponseHead::retry_after`] and [`ResponseHead::now_unix_ms`].
    pub fn retry_after(mut self, value: Option<&'a str>, now_unix_ms: f64) -> Self {
        self.retry_after = value;
        self.now_unix_ms = now_unix_ms;
        self
    }
    /// Sets [`ResponseHead::date`].
    pub fn date(mut self, value: Option<&'a str>) -> Self {
        self.date = value;
        self
    }
}

/// What a response means for the stream; see [`classify`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Read events from the body.
    Open,
    /// Status 204: the server asks the client to stop. The run ends without error.
    Done,
    /// Not a stream. Give the error to the user's `onerror`, then to
    /// [`ReconnectPolicy::on_error`]; read the body first if
    /// [`StreamError::with_body`] should have it.
    Error(StreamError),
}

/// Decides what a response's status and headers mean.
///
/// The spec: "if res's status is not 200, or if res's `Content-Type` is not
/// `text/event-stream`, then fail the connection", except that 204 "must"
/// stop reconnecting. Which failures are retried is up to
/// [`ReconnectPolicy::on_error`].
pub fn classify(head: &ResponseHead<'_>) -> Verdict {
    match head.status {
        200 if head.content_type.is_some_and(is_event_stream) => Verdict::Open,
        200 => Verdict::Error(StreamError::ContentType {
            content_type: head.content_type.map(str::to_owned),
            body: String::new(),
        }),
        204 => Verdict::Done,
        status => {
            // RFC 9110 §10.2.3 defines Retry-After for 503, RFC 6585 §4 for 429.
            let retry_after_ms = match (status, head.retry_after) {
                (429 | 503, Some(value)) => parse_retry_after(value, server_now_ms(head)),
                _ => None,
            };
            Verdict::Error(StreamError::HttpStatus {
                status,
                status_text: head.status_text.to_owned(),
                content_type: head.content_type.map(str::to_owned),
                body: String::new(),
                retry_after_ms,
            })
        }
    }
}

/// The server's clock from the `Date` header, else the client's.
fn server_now_ms(head: &ResponseHead<'_>) -> f64 {
    let client_now_s =
        if head.now_unix_ms.is_finite() { (head.now_unix_ms / 1000.0).floor() as i64 } else { 0 };
    match head.date.and_then(|date| parse_http_date(date, client_now_s)) {
        Some(server_s) => server_s as f64 * 1000.0,
        None => head.now_unix_ms,
    }
}

/// What the user's `onerror(err)` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Override {
    /// It returned nothing (or there is no `onerror`): the policy decides.
    #[default]
    Default,
    /// It returned a number: retry after exactly this delay, whatever the error.
    Retry {
        /// The delay, in milliseconds.
        delay_ms: u64,
    },
    /// It threw: stop; the glue rejects with what was thrown.
    Stop,
}

impl Override {
    /// The override for a number returned by `onerror`, read as `setTimeout`
    /// reads a delay: NaN and negatives mean 0, fractions are dropped.
    pub fn from_js_delay(ms: f64) -> Self {
        // `as` truncates, saturates, and maps NaN to 0.
        Override::Retry { delay_ms: ms as u64 }
    }
}

/// What the glue does next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "the decision says whether to reconnect"]
pub enum Decision {
    /// Wait, then send the request again with [`ReconnectPolicy::request_headers`].
    Retry {
        /// How long to wait, in milliseconds.
        delay_ms: u64,
        /// Which consecutive retry this is, from 1.
        retry: u32,
        /// The new request cannot resume the stream: it starts over, and
        /// whatever consumed the events so far must start over too.
        restart: bool,
    },
    /// End the run: resolve if `error` is `None`, else reject with it (or, after
    /// [`Override::Stop`], with what `onerror` threw).
    Stop {
        /// Why, if it failed.
        error: Option<StreamError>,
    },
}

/// The state of one `fetchEventSource` run between attempts; see the module docs.
#[derive(Debug, Clone)]
pub struct ReconnectPolicy {
    options: ReconnectOptions,
    /// The spec's reconnection time: the option, then the last `retry:` field.
    base_delay_ms: u64,
    last_event_id: String,
    /// Consecutive retries in the current failure streak.
    retries: u32,
    /// When the current failure streak began (the caller's clock).
    streak_start_ms: f64,
    /// The current connection delivered an event.
    delivered: bool,
    /// Events were dispatched since the run (or its last restart) began.
    dispatched: bool,
    rng: SplitMix64,
}

impl ReconnectPolicy {
    /// A policy for a run that starts at `now_ms` (any monotonic clock in
    /// milliseconds, such as `performance.now()`), with jitter drawn from a
    /// generator seeded by `seed` (the glue passes `Math.random()` bits).
    pub fn new(options: ReconnectOptions, now_ms: f64, seed: u64) -> Self {
        ReconnectPolicy {
            base_delay_ms: options.base_delay_ms,
            options,
            last_event_id: String::new(),
            retries: 0,
            streak_start_ms: now_ms,
            delivered: false,
            dispatched: false,
            rng: SplitMix64(seed),
        }
    }

    /// The options the policy was made with.
    pub fn options(&self) -> &ReconnectOptions {
        &self.options
    }

    /// The base delay: [`ReconnectOptions::base_delay_ms`], or the last `retry:`.
    pub fn base_delay_ms(&self) -> u64 {
        self.base_delay_ms
    }

    /// A `retry:` field set the reconnection time (the parser's `Sink::on_retry`).
    /// "Set the event stream's reconnection time to that integer."
    pub fn set_base_delay_ms(&mut self, ms: u64) {
        self.base_delay_ms = ms;
    }

    /// The last event ID, sent as `Last-Event-ID` on the next attempt.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// Sets the last event ID, for example to resume a run from a stored one.
    pub fn set_last_event_id(&mut self, id: &str) {
        if self.last_event_id != id {
            self.last_event_id.clear();
            self.last_event_id.push_str(id);
        }
    }

    /// How many consecutive retries the current failure streak has made.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// An event was dispatched; `last_event_id` is the parser's
    /// `last_event_id()` after it. Marks this connection as a success.
    pub fn on_event(&mut self, last_event_id: &str) {
        self.delivered = true;
        self.dispatched = true;
        self.set_last_event_id(last_event_id);
    }

    /// Whether a new request would continue the stream: nothing was dispatched
    /// yet, or a last event ID was.
    pub fn can_resume(&self) -> bool {
        !self.dispatched || !self.last_event_id.is_empty()
    }

    /// The headers to set (replacing any of the caller's) on the next request.
    /// `caller_header_names` are the names of the headers the caller set.
    ///
    /// * `Accept: text/event-stream`, unless the caller set an `Accept` (names
    ///   compare case-insensitively), as the spec's EventSource does.
    /// * `Last-Event-ID` when the last event ID is not empty: "If the last event
    ///   ID string is not the empty string, set (`Last-Event-ID`, last event ID
    ///   string, encoded as UTF-8) in request's header list." An empty ID leaves
    ///   a caller's own `Last-Event-ID` in place.
    ///
    /// Header values are byte strings in JS (`Headers` throws on a character above
    /// U+00FF), so the ID is given as its UTF-8 bytes, one character per byte.
    /// The server sees the UTF-8 the spec asks for.
    pub fn request_headers<'n>(
        &self,
        caller_header_names: impl IntoIterator<Item = &'n str>,
    ) -> Vec<(&'static str, String)> {
        let mut headers = Vec::with_capacity(2);
        if !caller_header_names
            .into_iter()
            .any(|name| name.trim_matches(is_http_whitespace).eq_ignore_ascii_case("accept"))
        {
            headers.push(("Accept", "text/event-stream".to_owned()));
        }
        if !self.last_event_id.is_empty() {
            headers.push(("Last-Event-ID", self.last_event_id.bytes().map(char::from).collect()));
        }
        headers
    }

    /// The attempt failed with `error`, and the user's `onerror` said `choice`.
    /// `now_ms` is on the clock given to [`ReconnectPolicy::new`].
    pub fn on_error(&mut self, error: StreamError, choice: Override, now_ms: f64) -> Decision {
        self.end_connection(now_ms);
        let delay_ms = match choice {
            Override::Stop => return Decision::Stop { error: Some(error) },
            // The user asked for this retry, knowing the error: a restart is fine.
            Override::Retry { delay_ms } => Some(delay_ms),
            Override::Default if error.retried_by_default(&self.options) => {
                if !self.can_resume() && !self.options.idempotent && !self.options.restart_without_id {
                    return Decision::Stop {
                        error: Some(StreamError::Unresumable { last: Box::new(error) }),
                    };
                }
                error.retry_after_ms()
            }
            Override::Default => return Decision::Stop { error: Some(error) },
        };
        self.schedule(Some(error), delay_ms, now_ms)
    }

    /// The server ended the stream cleanly. Stops without error, unless
    /// [`ReconnectOptions::reconnect_on_end`] is set; then it is retried like a
    /// failure (so a server that closes at once, forever, meets the limits).
    pub fn on_end(&mut self, now_ms: f64) -> Decision {
        if !self.options.reconnect_on_end {
            return Decision::Stop { error: None };
        }
        self.end_connection(now_ms);
        self.schedule(None, None, now_ms)
    }

    /// A connection ended; if it delivered an event, a new failure streak begins.
    fn end_connection(&mut self, now_ms: f64) {
        if std::mem::take(&mut self.delivered) {
            self.retries = 0;
            self.streak_start_ms = now_ms;
        }
    }

    fn schedule(&mut self, cause: Option<StreamError>, delay_ms: Option<u64>, now_ms: f64) -> Decision {
        let retry = self.retries.saturating_add(1);
        if self.options.max_retries.is_some_and(|max| retry > max) {
            return Decision::Stop {
                error: Some(StreamError::MaxRetries { retries: self.retries, last: cause.map(Box::new) }),
            };
        }
        let delay_ms = delay_ms.unwrap_or_else(|| self.backoff_ms(retry));
        if let Some(limit_ms) = self.options.max_elapsed_ms {
            let elapsed = now_ms - self.streak_start_ms;
            // NaN (a bad clock) counts as no time passed; `as` maps it to 0.
            let elapsed = if elapsed > 0.0 { elapsed } else { 0.0 };
            if elapsed + delay_ms as f64 > limit_ms as f64 {
                return Decision::Stop {
                    error: Some(StreamError::MaxElapsed {
                        elapsed_ms: elapsed as u64,
                        limit_ms,
                        last: cause.map(Box::new),
                    }),
                };
            }
        }
        self.retries = retry;
        let restart = !self.can_resume();
        if restart {
            self.dispatched = false;
        }
        Decision::Retry { delay_ms, retry, restart }
    }

    /// The computed delay of the `retry`-th consecutive retry (from 1).
    fn backoff_ms(&mut self, retry: u32) -> u64 {
        let max = self.options.max_delay_ms;
        let mut base = self.base_delay_ms as f64;
        if retry > 1 {
            base = base.max(MIN_BACKOFF_MS as f64);
        }
        // Past 2^11 doublings every base is infinite anyway; keep `powi` in range.
        let growth = self.options.sane_multiplier().powi(retry.saturating_sub(1).min(2048) as i32);
        let jitter = 1.0 + self.options.sane_jitter() * self.rng.next_unit();
        let delay = base * growth * jitter;
        // `min` with a finite cap also turns infinity into the cap.
        let delay = if delay.is_nan() { max as f64 } else { delay.min(max as f64) };
        (delay as u64).min(max)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, plenty for
/// jitter and the same on every target.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`: the top 53 bits as a fraction.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Connection metrics the glue updates as a run goes. The three times are the
/// current connection's own, in milliseconds from when its request was sent
/// (for the first connection, from the start of the run); `bytes`, `events`
/// and `reconnects` are running totals over the whole run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Metrics {
    /// When the run started.
    pub start_ms: f64,
    /// When the current connection's request was sent.
    pub connection_start_ms: f64,
    /// When the current connection's response headers arrived.
    pub time_to_headers_ms: Option<f64>,
    /// When the current connection's first body bytes arrived.
    pub time_to_first_byte_ms: Option<f64>,
    /// When the current connection's first event was dispatched.
    pub time_to_first_event_ms: Option<f64>,
    /// Body bytes received, over all connections.
    pub bytes: u64,
    /// Events dispatched, over all connections.
    pub events: u64,
    /// Reconnections made (requests after the first).
    pub reconnects: u32,
}

impl Metrics {
    /// Metrics for a run that starts at `start_ms`.
    pub fn new(start_ms: f64) -> Self {
        Metrics {
            start_ms,
            connection_start_ms: start_ms,
            time_to_headers_ms: None,
            time_to_first_byte_ms: None,
            time_to_first_event_ms: None,
            bytes: 0,
            events: 0,
            reconnects: 0,
        }
    }

    /// Milliseconds from the current connection's start to `now_ms`; 0 for a
    /// clock that went backwards or is NaN.
    pub fn since_start(&self, now_ms: f64) -> f64 {
        let elapsed = now_ms - self.connection_start_ms;
        if elapsed > 0.0 {
            elapsed
        } else {
            0.0
        }
    }

    /// Response headers arrived.
    pub fn on_headers(&mut self, now_ms: f64) {
        if self.time_to_headers_ms.is_none() {
            self.time_to_headers_ms = Some(self.since_start(now_ms));
        }
    }

    /// A chunk of `len` body bytes arrived.
    pub fn on_bytes(&mut self, len: usize, now_ms: f64) {
        if len > 0 && self.time_to_first_byte_ms.is_none() {
            self.time_to_first_byte_ms = Some(self.since_start(now_ms));
        }
        self.bytes = self.bytes.saturating_add(len as u64);
    }

    /// An event was dispatched.
    pub fn on_event(&mut self, now_ms: f64) {
        self.on_events(1, now_ms);
    }

    /// `count` events were dispatched from one chunk (one clock read for all).
    pub fn on_events(&mut self, count: u64, now_ms: f64) {
        if count > 0 && self.time_to_first_event_ms.is_none() {
            self.time_to_first_event_ms = Some(self.since_start(now_ms));
        }
        self.events = self.events.saturating_add(count);
    }

    /// A reconnection request is being sent at `now_ms`: the connection's
    /// times start over.
    pub fn on_reconnect(&mut self, now_ms: f64) {
        self.reconnects = self.reconnects.saturating_add(1);
        self.connection_start_ms = now_ms;
        self.time_to_headers_ms = None;
        self.time_to_first_byte_ms = None;
        self.time_to_first_event_ms = None;
    }
}

#[cfg(test)]
mod tests;
