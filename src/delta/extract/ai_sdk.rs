//! The Vercel AI SDK UI message stream (`ai` 7.x, `toUIMessageStreamResponse()`,
//! header `x-vercel-ai-ui-message-stream: v1`): `data:` lines of JSON with a
//! `type`, no `event:` and no `id:`, ending with `data: [DONE]`.
//!
//! ```text
//! {"type":"reasoning-delta","id":"r1","delta":"…"}
//! {"type":"text-delta","id":"t1","delta":"…"}
//! {"type":"tool-input-start","toolCallId":"call_1","toolName":"f"}
//! {"type":"tool-input-delta","toolCallId":"call_1","inputTextDelta":"{\"a\""}
//! {"type":"tool-input-available","toolCallId":"call_1","toolName":"f","input":{"a":1}}
//! {"type":"finish","finishReason":"tool-calls"}
//! ```
//!
//! `tool-input-available` carries the parsed input and ends the call's input
//! (there is no `tool-input-end`). The finish reason is the SDK's own
//! hyphenated value. An `error` part is an error (the SDK then still sends
//! `finish`, which is not read); `abort` ends the answer without a finish
//! reason. Parts that carry no text (`start`, `start-step`, `text-start`,
//! sources, files, `data-*`...) are skipped.

use super::{is_done_marker, json, str_of, CallKey, DeltaError, Item, Items, Step, Value};

pub(super) fn items<'a>(data: &'a str, items: &mut Items<'a>) -> Result<(), DeltaError> {
    if is_done_marker(data) {
        items.push(Item::Done);
        return Ok(());
    }
    let lookup = |name: &'static str| json::lookup(data, &[Step::key(name)]);
    let call = || lookup("toolCallId").map(|v| v.and_then(str_of).map(|s| CallKey::Name(raw(s))));
    let Some(Value::Str { raw: kind, .. }) = lookup("type")? else { return Ok(()) };
    match kind {
        "text-delta" => {
            if let Some(text) = lookup("delta")?.and_then(str_of) {
                items.push(Item::Text(text));
            }
        }
        "reasoning-delta" => {
            if let Some(text) = lookup("delta")?.and_then(str_of) {
                items.push(Item::Reasoning(text));
            }
        }
        // A new reasoning part after one that ended.
        "reasoning-start" => items.push(Item::ReasoningBreak),
        "tool-input-start" => {
            if let Some(key) = call()? {
                let id = lookup("toolCallId")?.and_then(str_of);
                let name = lookup("toolName")?.and_then(str_of);
                items.push(Item::ToolStart { key, id, name });
            }
        }
        "tool-input-delta" => {
            if let (Some(key), Some(text)) = (call()?, lookup("inputTextDelta")?.and_then(str_of)) {
                items.push(Item::ToolArgs { key, text });
            }
        }
        "tool-input-available" => {
            if let Some(key) = call()? {
                let id = lookup("toolCallId")?.and_then(str_of);
                let name = lookup("toolName")?.and_then(str_of);
                // A call may come whole, without a start (a dynamic tool).
                items.push(Item::ToolStart { key, id, name });
                match lookup("input")? {
                    Some(Value::Other(json)) => items.push(Item::ToolInput { key, name, json }),
                    // A text input (`inputEncoding: 'text'`) is in the deltas already.
                    _ => items.push(Item::ToolDone(Some(key))),
                }
            }
        }
        "tool-input-error" => {
            if let Some(key) = call()? {
                items.push(Item::ToolDone(Some(key)));
            }
        }
        "finish" => {
            if let Some(reason) = lookup("finishReason")?.and_then(str_of) {
                items.push(Item::Finish(reason));
            }
            items.push(Item::ToolDone(None));
        }
        "abort" => items.push(Item::Done),
        "error" => {
            let message = match lookup("errorText")? {
                Some(v) => str_of(v).and_then(|s| s.text()).map(|t| t.into_owned()),
                None => None,
            };
            return Err(DeltaError::Stream {
                kind: None,
                message: message.unwrap_or_else(|| data.to_owned()),
            });
        }
        _ => {}
    }
    Ok(())
}

/// The raw text of a string found in the data, as a [`CallKey::Name`] needs it.
fn raw(s: super::Str<'_>) -> &str {
    match s {
        super::Str::Plain(s) | super::Str::Json { raw: s, .. } => s,
    }
}
