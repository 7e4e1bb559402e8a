//! OpenAI Responses streaming events (`event:` names repeated as `type`):
//!
//! ```text
//! response.output_item.added              {"output_index":1,"item":{"type":"function_call","call_id":"call_1","name":"f"}}
//! response.reasoning_summary_part.added   {"summary_index":1}
//! response.reasoning_summary_text.delta   {"delta":"…"}
//! response.output_text.delta              {"delta":"…"}
//! response.function_call_arguments.delta  {"output_index":1,"delta":"{\"a\""}
//! response.function_call_arguments.done   {"output_index":1,"arguments":"…"}
//! response.completed                      {"response":{"status":"completed","usage":{…}}}
//! ```
//!
//! A function call is keyed by its `output_index`; its id is the `call_id`
//! (what a tool result must quote), not the item's `id`.

use super::{
    check_error, error_or_root, event_type, index_of, is_done_marker, json, key, object_of, str_of,
    stream_error, CallKey, DeltaError, Item, Items, Step, Value,
};

pub(super) fn items<'a>(event: &str, data: &'a str, items: &mut Items<'a>) -> Result<(), DeltaError> {
    if is_done_marker(data) {
        items.push(Item::Done);
        return Ok(());
    }
    let lookup = |path: &[Step]| json::lookup(data, path);
    let output = || lookup(&[key("output_index")]).map(|v| v.and_then(index_of).map(CallKey::Index));
    match event_type(event, data).as_ref() {
        "response.output_text.delta" => {
            if let Some(text) = lookup(&[key("delta")])?.and_then(str_of) {
                items.push(Item::Text(text));
            }
        }
        "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
            if let Some(text) = lookup(&[key("delta")])?.and_then(str_of) {
                items.push(Item::Reasoning(text));
            }
        }
        "response.reasoning_summary_part.added" => items.push(Item::ReasoningBreak),
        "response.output_item.added" => {
            let kind = lookup(&[key("item"), key("type")])?;
            if matches!(kind, Some(Value::Str { raw: "function_call" | "custom_tool_call", .. })) {
                if let Some(key) = output()? {
                    let id = lookup(&[Step::key("item"), Step::key("call_id")])?.and_then(str_of);
                    let name = lookup(&[Step::key("item"), Step::key("name")])?.and_then(str_of);
                    items.push(Item::ToolStart { key, id, name });
                }
            }
        }
        "response.function_call_arguments.delta" | "response.custom_tool_call_input.delta" => {
            if let (Some(key), Some(text)) = (output()?, lookup(&[Step::key("delta")])?.and_then(str_of)) {
                items.push(Item::ToolArgs { key, text });
            }
        }
        "response.function_call_arguments.done" | "response.custom_tool_call_input.done" => {
            if let Some(key) = output()? {
                items.push(Item::ToolDone(Some(key)));
            }
        }
        "response.output_item.done" => {
            let kind = lookup(&[key("item"), key("type")])?;
            if matches!(kind, Some(Value::Str { raw: "function_call" | "custom_tool_call", .. })) {
                if let Some(key) = output()? {
                    items.push(Item::ToolDone(Some(key)));
                }
            }
        }
        // `incomplete` ends the answer as well (a token limit, a content filter).
        "response.completed" | "response.incomplete" => {
            if let Some(usage) = lookup(&[key("response"), key("usage")])?.and_then(object_of) {
                items.push(Item::Usage(usage));
            }
            if let Some(status) = lookup(&[key("response"), key("status")])?.and_then(str_of) {
                items.push(Item::Finish(status));
            }
            items.push(Item::ToolDone(None));
            items.push(Item::Done);
        }
        "error" => return Err(error_or_root(data)),
        "response.failed" => return Err(stream_error(data, &[key("response"), key("error")])),
        _ => check_error(data)?,
    }
    Ok(())
}
