//! Property test: the `Last-Event-ID` a reconnect sends is the ID of the last
//! block that was dispatched, over random runs of connections that each drop
//! at a random byte. The parser and the reconnect policy are driven the way the
//! client drives them (`src/wasm/client/mod.rs`: `Attempt::read` and
//! `Attempt::feed`), with no I/O.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use wasm_sse::parser::{Event, Parser, Sink};
use wasm_sse::reconnect::{ReconnectOptions, ReconnectPolicy};

/// One block the server sends.
#[derive(Debug, Clone)]
struct Block {
    /// The `id:` field's value, if the block has one (it may hold a NUL, which
    /// makes the field ignored, or be empty, which clears the ID).
    id: Option<String>,
    /// The `data:` lines.
    data: Vec<String>,
    /// The line end, for every line of the block.
    eol: &'static str,
}

impl Block {
    /// The block's bytes, and the offset just past the first byte of the
    /// blank line's end: a connection that receives that many bytes of it has
    /// seen it dispatched.
    fn render(&self) -> (String, usize) {
        let mut out = String::new();
        if let Some(id) = &self.id {
            out.push_str(&format!("id: {id}{}", self.eol));
        }
        for line in &self.data {
            out.push_str(&format!("data: {line}{}", self.eol));
        }
        if self.id.is_none() && self.data.is_empty() {
            // Never a block that is only a blank line: after a CR-ended block,
            // an LF would join the CR instead of being a line of its own.
            out.push_str(&format!(": ping{}", self.eol));
        }
        let dispatched_at = out.len() + 1;
        out.push_str(self.eol);
        (out, dispatched_at)
    }

    /// The ID this block sets when it is dispatched, if it sets one.
    fn sets_id(&self) -> Option<&str> {
        self.id.as_deref().filter(|id| !id.contains('\0'))
    }
}

fn block() -> impl Strategy<Value = Block> {
    (
        prop::option::of(
            prop_oneof![4 => "[a-z0-9é🎉]{1,4}", 1 => Just(String::new()), 1 => Just("x\0y".to_owned())],
        ),
        prop::collection::vec("[a-z :]{0,5}", 0..3),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
    )
        .prop_map(|(id, data, eol)| Block { id, data, eol })
}

/// One connection: the blocks the server sends, the fraction of their bytes
/// that arrive before the drop (in thousandths), and where the bytes are cut
/// into chunks.
#[derive(Debug, Clone)]
struct Connection {
    blocks: Vec<Block>,
    received_permille: usize,
    cuts: Vec<usize>,
}

fn connection() -> impl Strategy<Value = Connection> {
    (prop::collection::vec(block(), 0..8), 0usize..=1000, prop::collection::vec(any::<usize>(), 0..6))
        .prop_map(|(blocks, received_permille, cuts)| Connection { blocks, received_permille, cuts })
}

/// Counts the events of one chunk, as the client's sink does.
#[derive(Default)]
struct Count(u64);

impl Sink for Count {
    fn on_event(&mut self, _: Event<'_>) {
        self.0 += 1;
    }
}

/// The `Last-Event-ID` header the policy would send, if any.
fn header(policy: &ReconnectPolicy) -> Option<String> {
    policy.request_headers([]).into_iter().find(|(name, _)| *name == "Last-Event-ID").map(|(_, v)| v)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_last_event_id_sent_is_the_last_one_dispatched(run in prop::collection::vec(connection(), 1..6)) {
        let mut policy = ReconnectPolicy::new(ReconnectOptions::default(), 0.0, 1);
        let mut parser = Parser::new();
        // The model: the ID of the last block that was dispatched with one.
        let mut last_dispatched = String::new();
        for connection in run {
            let mut stream = String::new();
            let mut dispatch_points = Vec::new();
            for block in &connection.blocks {
                let (bytes, at) = block.render();
                dispatch_points.push((stream.len() + at, block.sets_id()));
                stream.push_str(&bytes);
            }
            let received = &stream.as_bytes()[..stream.len() * connection.received_permille / 1000];
            for (at, id) in dispatch_points {
                if let (true, Some(id)) = (at <= received.len(), id) {
                    last_dispatched = id.to_owned();
                }
            }

            // The client: a new stream resumes from the policy's ID...
            parser.reset();
            parser.set_last_event_id(policy.last_event_id());
            let mut cuts: Vec<usize> = connection.cuts.iter().map(|c| c % (received.len() + 1)).collect();
            cuts.sort_unstable();
            cuts.push(received.len());
            let mut start = 0;
            for cut in cuts {
                // ...and tells the policy after each chunk.
                let mut events = Count::default();
                parser.feed(&received[start..cut], &mut events);
                start = cut;
                if events.0 > 0 {
                    policy.on_event(parser.last_event_id());
                } else {
                    policy.set_last_event_id(parser.last_event_id());
                }
            }
            // The connection drops here.
            prop_assert_eq!(policy.last_event_id(), last_dispatched.as_str());
            let want = (!last_dispatched.is_empty()).then(|| last_dispatched.bytes().map(char::from).collect());
            prop_assert_eq!(header(&policy), want);
        }
    }
}
