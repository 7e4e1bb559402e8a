//! Tool calls: each call's identity, its raw JSON arguments as they arrive,
//! and the value parsed from them so far (incrementally, see
//! [`super::json::partial`]).

use super::channel::append_escaped;
use super::extract::{CallKey, Str};
use super::json::partial::PartialJson;
use super::json::JsonError;

/// A call's key in the wire's own terms, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Index(u64),
    Name(String),
}

impl Key {
    fn is(&self, key: &CallKey<'_>) -> bool {
        match (self, key) {
            (Key::Index(a), CallKey::Index(b)) => a == b,
            (Key::Name(a), CallKey::Name(b)) => a == b,
            _ => false,
        }
    }
}

/// One tool call of the answer.
#[derive(Debug, Clone)]
pub struct ToolCall {
    index: usize,
    key: Key,
    id: Option<String>,
    name: Option<String>,
    arguments: String,
    pending_high: Option<u16>,
    done: bool,
    parser: PartialJson,
    /// The parser's ops since the flush before the last one: `ops[..ops_to]`
    /// went out with the last flush.
    ops: String,
    ops_to: usize,
    /// `arguments[args_from..args_to]` went out with the last flush.
    args_from: usize,
    args_to: usize,
    /// The input was replaced by a whole value: the reader must start over.
    reset: bool,
    reset_sent: bool,
    /// Changed since the last flush.
    dirty: bool,
    /// The last flush changed it.
    changed: bool,
}

impl ToolCall {
    /// Its place among the answer's calls, from 0, in the order they began.
    pub fn index(&self) -> usize {
        self.index
    }
    /// The call's id (`call_…`, `toolu_…`), once it arrived.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// The function's name, once it arrived.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// The raw JSON text of the arguments so far, exactly as sent.
    pub fn arguments(&self) -> &str {
        &self.arguments[..self.args_to]
    }
    /// What the last flush added to [`ToolCall::arguments`].
    pub fn arguments_delta(&self) -> &str {
        &self.arguments[self.args_from..self.args_to]
    }
    /// Whether the arguments are complete.
    pub fn done(&self) -> bool {
        self.done
    }
    /// Whether the last flush changed this call.
    pub fn changed(&self) -> bool {
        self.changed
    }
    /// Whether the arguments so far are not the start of valid JSON: the
    /// parsed input then stays the last good value.
    pub fn input_failed(&self) -> bool {
        self.parser.failed()
    }
    /// The input operations of the last flush (the encoding of
    /// `src/delta/json/partial.rs`), for the JS side, which keeps the parsed
    /// value. Not a stable API.
    #[doc(hidden)]
    pub fn input_ops(&self) -> &str {
        self.ops[..self.ops_to].trim_start_matches(',')
    }
    /// Whether the last flush replaced the input (start the value over). Not a
    /// stable API.
    #[doc(hidden)]
    pub fn input_reset(&self) -> bool {
        self.reset_sent
    }
}

/// The calls of one answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tools {
    pub(crate) calls: Vec<ToolCall>,
}

impl Tools {
    fn call(&mut self, key: &CallKey<'_>) -> &mut ToolCall {
        let at = match self.calls.iter().position(|c| c.key.is(key)) {
            Some(at) => at,
            None => {
                let index = self.calls.len();
                self.calls.push(ToolCall {
                    index,
                    key: match *key {
                        CallKey::Index(n) => Key::Index(n),
                        CallKey::Name(s) => Key::Name(s.to_owned()),
                    },
                    id: None,
                    name: None,
                    arguments: String::new(),
                    pending_high: None,
                    done: false,
                    parser: PartialJson::new(),
                    ops: String::new(),
                    ops_to: 0,
                    args_from: 0,
                    args_to: 0,
                    reset: false,
                    reset_sent: false,
                    dirty: true,
                    changed: false,
                });
                index
            }
        };
        &mut self.calls[at]
    }

    /// A call begins, or more of its identity arrives (the first id and name win).
    pub(crate) fn start(&mut self, key: CallKey<'_>, id: Option<Str<'_>>, name: Option<Str<'_>>) {
        let call = self.call(&key);
        let text =
            |s: Option<Str<'_>>| s.and_then(|s| s.text()).filter(|t| !t.is_empty()).map(|t| t.into_owned());
        if call.id.is_none() {
            if let Some(id) = text(id) {
                call.id = Some(id);
                call.dirty = true;
            }
        }
        if call.name.is_none() {
            if let Some(name) = text(name) {
                call.name = Some(name);
                call.dirty = true;
            }
        }
    }

    /// A fragment of a call's arguments. On a bad escape nothing is added.
    pub(crate) fn arguments(&mut self, key: CallKey<'_>, text: Str<'_>) -> Result<(), JsonError> {
        let call = self.call(&key);
        let from = call.arguments.len();
        match text {
            Str::Plain(s) | Str::Json { raw: s, escaped: false } => call.arguments.push_str(s),
            Str::Json { raw, escaped: true } => {
                append_escaped(&mut call.arguments, &mut call.pending_high, raw)?
            }
        }
        if call.arguments.len() > from {
            call.parser.push(&call.arguments[from..], &mut call.ops);
            call.dirty = true;
        }
        Ok(())
    }

    /// A call's whole input, as JSON text: it replaces what the fragments made
    /// of it, and completes the call. The arguments keep the fragments as sent,
    /// unless none came.
    pub(crate) fn input(&mut self, key: CallKey<'_>, json: &str) {
        let call = self.call(&key);
        if call.arguments.is_empty() {
            call.arguments.push_str(json);
        }
        call.parser.reset();
        call.ops.clear();
        call.ops_to = 0;
        call.parser.push(json, &mut call.ops);
        call.reset = true;
        call.done = true;
        call.dirty = true;
    }

    /// A call's arguments are complete; `None`: every call's.
    pub(crate) fn done(&mut self, key: Option<CallKey<'_>>) {
        match key {
            Some(key) => {
                if let Some(call) = self.calls.iter_mut().find(|c| c.key.is(&key)) {
                    if !call.done {
                        call.done = true;
                        call.dirty = true;
                    }
                }
            }
            None => {
                for call in self.calls.iter_mut().filter(|c| !c.done) {
                    call.done = true;
                    call.dirty = true;
                }
            }
        }
    }

    /// Whether a call changed since the last flush.
    pub(crate) fn dirty(&self) -> bool {
        self.calls.iter().any(|c| c.dirty)
    }

    /// A flush: what changed since the last one becomes what the flush reports.
    pub(crate) fn emit(&mut self) {
        for call in &mut self.calls {
            call.ops.drain(..call.ops_to);
            call.ops_to = call.ops.len();
            call.args_from = call.args_to;
            call.args_to = call.arguments.len();
            call.reset_sent = std::mem::take(&mut call.reset);
            call.changed = std::mem::take(&mut call.dirty);
        }
    }
}
