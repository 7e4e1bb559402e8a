//! Dropping the events a resumed stream sends again.
//!
//! The spec leaves event IDs opaque: they need not be numbers, nor increase,
//! so "an ID above the last one" is no rule a client may rely on. What a
//! client can know is which IDs it has dispatched, and in which order. A
//! server that honours `Last-Event-ID` starts with an event that is new to the
//! client; one that replays (from the start, or from the last event, inclusive)
//! sends IDs the client has seen, in the order it saw them. So, on a
//! connection sent with `Last-Event-ID`:
//!
//! * the first event that has an `id:` field and names an ID already dispatched
//!   starts a replay, at that point of the dispatched order;
//! * while each next event's `id:` names the next dispatched ID, it is dropped;
//! * the first event that breaks that order (a new ID, or no `id:` field) ends
//!   the check: it and everything after it is dispatched.
//!
//! An event with no `id:` field is never dropped. The IDs are remembered for
//! the last [`REPLAY_MEMORY`] bytes of them; a replay that starts before the
//! remembered ones is not recognised. A server that gives the same ID to
//! several events (an answer ID on every chunk) cannot be resumed exactly by
//! any client, and its repeats are taken for a replay.

use std::collections::VecDeque;

/// How many bytes of dispatched IDs are remembered, oldest forgotten first.
pub const REPLAY_MEMORY: usize = 64 * 1024;

/// The replay check of one run; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Dispatched IDs (from `id:` fields), oldest first.
    ids: VecDeque<String>,
    bytes: usize,
    state: Check,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Check {
    /// Everything passes.
    #[default]
    Off,
    /// A resumed connection: the first event with an ID decides.
    First,
    /// In a replay: the next event should repeat `ids[at]`.
    Following { at: usize },
}

impl Replay {
    /// A run with nothing dispatched yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new connection: `resumed` when it was sent with `Last-Event-ID`.
    pub fn on_connect(&mut self, resumed: bool) {
        self.state = if resumed && !self.ids.is_empty() { Check::First } else { Check::Off };
    }

    /// The stream starts over: nothing seen before counts.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Whether to dispatch an event with this (sticky) `id`, `has_id` when its
    /// block had an `id:` field. Remembers the ID of an event it lets through.
    pub fn admit(&mut self, id: &str, has_id: bool) -> bool {
        if self.state != Check::Off {
            let next = match (has_id, self.state) {
                (false, _) => None,
                (true, Check::First) => self.ids.iter().position(|seen| seen == id),
                (true, Check::Following { at }) => {
                    (self.ids.get(at).map(String::as_str) == Some(id)).then_some(at)
                }
                (true, Check::Off) => None,
            };
            match next {
                Some(at) => {
                    self.state = Check::Following { at: at + 1 };
                    return false;
                }
                None => self.state = Check::Off,
            }
        }
        if has_id {
            self.remember(id);
        }
        true
    }

    fn remember(&mut self, id: &str) {
        self.ids.push_back(id.to_owned());
        self.bytes += id.len();
        while self.bytes > REPLAY_MEMORY {
            match self.ids.pop_front() {
                Some(old) => self.bytes -= old.len(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dispatches `ids` (each with an `id:` field) on a fresh connection.
    fn dispatched(ids: &[&str]) -> Replay {
        let mut r = Replay::new();
        r.on_connect(false);
        for id in ids {
            assert!(r.admit(id, true));
        }
        r
    }

    fn admitted(r: &mut Replay, events: &[(&str, bool)]) -> Vec<String> {
        events.iter().filter(|(id, has)| r.admit(id, *has)).map(|(id, _)| id.to_string()).collect()
    }

    #[test]
    fn a_server_that_resumes_correctly_loses_nothing() {
        let mut r = dispatched(&["1", "2", "3"]);
        r.on_connect(true);
        assert_eq!(admitted(&mut r, &[("4", true), ("5", true)]), ["4", "5"]);
    }

    #[test]
    fn a_replay_from_the_start_is_dropped_up_to_the_last_dispatched_event() {
        let mut r = dispatched(&["a", "b", "c"]);
        r.on_connect(true);
        assert_eq!(admitted(&mut r, &[("a", true), ("b", true), ("c", true), ("d", true)]), ["d"]);
    }

    #[test]
    fn an_inclusive_replay_of_the_last_event_is_dropped() {
        let mut r = dispatched(&["x7", "x8"]);
        r.on_connect(true);
        assert_eq!(admitted(&mut r, &[("x8", true), ("x9", true)]), ["x9"]);
    }

    #[test]
    fn ids_need_not_be_numbers_nor_increase() {
        let mut r = dispatched(&["zeta", "alpha", "été"]);
        r.on_connect(true);
        assert_eq!(admitted(&mut r, &[("alpha", true), ("été", true), ("beta", true)]), ["beta"]);
    }

    #[test]
    fn an_event_without_an_id_field_is_never_dropped_and_ends_the_check() {
        let mut r = dispatched(&["1", "2"]);
        r.on_connect(true);
        // It carries the sticky ID "2", but no `id:` field of its own.
        assert_eq!(admitted(&mut r, &[("2", false), ("1", true)]), ["2", "1"]);
    }

    #[test]
    fn a_replay_that_breaks_the_order_ends_the_check() {
        let mut r = dispatched(&["1", "2", "3"]);
        r.on_connect(true);
        assert_eq!(admitted(&mut r, &[("1", true), ("3", true), ("2", true)]), ["3", "2"]);
    }

    #[test]
    fn a_connection_without_last_event_id_is_not_checked() {
        let mut r = dispatched(&["1"]);
        r.on_connect(false);
        assert_eq!(admitted(&mut r, &[("1", true)]), ["1"]);
    }

    #[test]
    fn memory_is_bounded_and_forgets_the_oldest_ids() {
        let mut r = Replay::new();
        let id = "i".repeat(1000);
        for n in 0..1000 {
            assert!(r.admit(&format!("{n:04}{id}"), true));
        }
        assert!(r.bytes <= REPLAY_MEMORY);
        r.on_connect(true);
        // The first IDs are forgotten: a replay from the very start is not recognised.
        assert!(r.admit(&format!("{:04}{id}", 0), true));
        r.on_connect(true);
        assert!(!r.admit(&format!("{:04}{id}", 999), true));
    }

    #[test]
    fn clear_forgets_everything() {
        let mut r = dispatched(&["1"]);
        r.clear();
        r.on_connect(true);
        assert_eq!(admitted(&mut r, &[("1", true)]), ["1"]);
    }
}
