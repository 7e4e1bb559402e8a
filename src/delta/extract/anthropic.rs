//! Anthropic Messages streaming events:
//!
//! ```text
//! event: message_start        {"message":{"usage":{"input_tokens":25,"output_tokens":1}}}
//! event: content_block_start  {"index":0,"content_block":{"type":"thinking","thinking":""}}
//! event: content_block_delta  {"index":0,"delta":{"type":"thinking_delta","thinking":"…"}}
//! event: content_block_delta  {"index":0,"delta":{"type":"signature_delta","signature":"…"}}
//! event: content_block_start  {"index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}}
//! event: content_block_delta  {"index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\""}}
//! event: content_block_stop   {"index":2}
//! event: message_delta        {"delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":89}}
//! event: message_stop
//! ```
//!
//! The block `index` keys a tool call. A second thinking block is a new part
//! of the reasoning. `redacted_thinking` blocks and `signature_delta`s carry
//! nothing readable.

use super::{
    check_error, error_or_root, event_type, index_of, json, key, object_of, str_of, CallKey, DeltaError,
    Item, Items, Step, Value,
};

pub(super) fn items<'a>(event: &str, data: &'a str, items: &mut Items<'a>) -> Result<(), DeltaError> {
    let lookup = |path: &[Step]| json::lookup(data, path);
    let block = || lookup(&[key("index")]).map(|v| v.and_then(index_of).map(CallKey::Index));
    match event_type(event, data).as_ref() {
        "content_block_delta" => {
            let kind = lookup(&[key("delta"), key("type")])?;
            let field = match kind {
                Some(Value::Str { raw: "text_delta", .. }) => "text",
                Some(Value::Str { raw: "thinking_delta", .. }) => "thinking",
                Some(Value::Str { raw: "input_json_delta", .. }) => "partial_json",
                // `signature_delta`, `citations_delta`...: nothing to show.
                _ => return Ok(()),
            };
            let Some(text) = lookup(&[key("delta"), Step::key(field)])?.and_then(str_of) else {
                return Ok(());
            };
            items.push(match field {
                "text" => Item::Text(text),
                "thinking" => Item::Reasoning(text),
                _ => match block()? {
                    Some(key) => Item::ToolArgs { key, text },
                    None => return Ok(()),
                },
            });
        }
        "content_block_start" => {
            let kind = lookup(&[key("content_block"), key("type")])?;
            match kind {
                Some(Value::Str { raw: "thinking", .. }) => items.push(Item::ReasoningBreak),
                Some(Value::Str { raw: "tool_use" | "server_tool_use", .. }) => {
                    if let Some(key) = block()? {
                        let id = lookup(&[Step::key("content_block"), Step::key("id")])?.and_then(str_of);
                        let name = lookup(&[Step::key("content_block"), Step::key("name")])?.and_then(str_of);
                        items.push(Item::ToolStart { key, id, name });
                    }
                }
                _ => {}
            }
        }
        "content_block_stop" => {
            if let Some(key) = block()? {
                items.push(Item::ToolDone(Some(key)));
            }
        }
        "message_start" => {
            if let Some(usage) = lookup(&[key("message"), key("usage")])?.and_then(object_of) {
                items.push(Item::Usage(usage));
            }
        }
        "message_delta" => {
            if let Some(reason) = lookup(&[key("delta"), key("stop_reason")])?.and_then(str_of) {
                items.push(Item::Finish(reason));
            }
            if let Some(usage) = lookup(&[key("usage")])?.and_then(object_of) {
                items.push(Item::Usage(usage));
            }
        }
        "message_stop" => items.push(Item::Done),
        "error" => return Err(error_or_root(data)),
        _ => check_error(data)?,
    }
    Ok(())
}
