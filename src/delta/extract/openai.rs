//! OpenAI Chat Completions chunks, as OpenAI and every compatible server
//! (vLLM, Ollama, LM Studio, DeepSeek, OpenRouter, Groq, LiteLLM) send them:
//!
//! ```text
//! {"choices":[{"index":0,"delta":{"content":"Hi","reasoning_content":null,
//!   "tool_calls":[{"index":0,"id":"call_1","type":"function",
//!   "function":{"name":"f","arguments":"{\"a\""}}]},"finish_reason":null}],"usage":null}
//! ```
//!
//! Unset fields are often written as `null` (the official Python types do so),
//! and must never become text. A tool call's first fragment has its `index`,
//! `id` and name; later ones only `index` and more `arguments`. A call has no
//! end marker of its own: every call is complete at a `finish_reason`. With
//! `stream_options.include_usage` the last chunk has `"choices": []` (vLLM:
//! `null`) and the usage.

use super::{
    error_or_root, index_of, is_done_marker, str_of, CallKey, DeltaError, Doc, Item, Items, JsonError,
};

/// Marks the stop of a read at a top-level `error` member: the error wins
/// whatever follows, so the rest is not read.
const STOP: usize = usize::MAX;

pub(super) fn items<'a>(data: &'a str, items: &mut Items<'a>) -> Result<(), DeltaError> {
    if is_done_marker(data) {
        items.push(Item::Done);
        return Ok(());
    }
    let doc = Doc::new(data);
    let start = doc.start();
    if doc.byte(start) != Some(b'{') {
        // Valid JSON that is not an object carries nothing.
        let end = doc.skip(start, 0)?;
        doc.end(end)?;
        return Ok(());
    }
    let (mut choices, mut usage, mut error) = (false, false, false);
    let read = doc.members(start, 0, |key, i| {
        if key.is("error") {
            let (value, end) = doc.value(i, 1)?;
            if value != super::Value::Null {
                error = true;
                return Err(JsonError { at: STOP });
            }
            Ok(end)
        } else if key.is("choices") && !choices {
            choices = true;
            match doc.byte(i) {
                Some(b'[') => {
                    doc.elements(i, 1, |n, i| if n == 0 { choice(&doc, i, items) } else { doc.skip(i, 2) })
                }
                // RFC 6901: `/choices/0` also names a member "0" of an object.
                Some(b'{') => {
                    let mut first = true;
                    doc.members(i, 1, |key, i| {
                        if first && key.is_index(0) {
                            first = false;
                            choice(&doc, i, items)
                        } else {
                            doc.skip(i, 2)
                        }
                    })
                }
                _ => doc.skip(i, 1),
            }
        } else if key.is("usage") && !usage {
            usage = true;
            let (value, end) = doc.value(i, 1)?;
            if let (Some(b'{'), super::Value::Other(raw)) = (doc.byte(i), value) {
                items.push(Item::Usage(raw));
            }
            Ok(end)
        } else {
            doc.skip(i, 1)
        }
    });
    if error {
        return Err(error_or_root(data));
    }
    doc.end(read?)?;
    Ok(())
}

/// `choices[0]`: its `delta` and its `finish_reason`.
fn choice<'a>(doc: &Doc<'a>, i: usize, items: &mut Items<'a>) -> Result<usize, JsonError> {
    if doc.byte(i) != Some(b'{') {
        return doc.skip(i, 2);
    }
    let (mut delta, mut finish) = (false, false);
    doc.members(i, 2, |key, i| {
        if key.is("delta") && !delta {
            delta = true;
            if doc.byte(i) == Some(b'{') {
                return delta_members(doc, i, items);
            }
            doc.skip(i, 3)
        } else if key.is("finish_reason") && !finish {
            finish = true;
            let (value, end) = doc.value(i, 3)?;
            if let Some(reason) = str_of(value) {
                items.push(Item::Finish(reason));
                items.push(Item::ToolDone(None));
            }
            Ok(end)
        } else {
            doc.skip(i, 3)
        }
    })
}

/// The members of `delta`: `content`, the reasoning, `tool_calls`.
fn delta_members<'a>(doc: &Doc<'a>, i: usize, items: &mut Items<'a>) -> Result<usize, JsonError> {
    let (mut content, mut reasoning, mut tools) = (false, false, false);
    doc.members(i, 3, |key, i| {
        if key.is("content") && !content {
            content = true;
            let (value, end) = doc.value(i, 4)?;
            if let Some(text) = str_of(value) {
                items.push(Item::Text(text));
            }
            Ok(end)
        } else if !reasoning && (key.is("reasoning_content") || key.is("reasoning")) {
            // Servers that send both spellings send the same text twice: the
            // first non-null one is the reasoning.
            let (value, end) = doc.value(i, 4)?;
            if let Some(text) = str_of(value) {
                reasoning = true;
                items.push(Item::Reasoning(text));
            }
            Ok(end)
        } else if key.is("tool_calls") && !tools && doc.byte(i) == Some(b'[') {
            tools = true;
            doc.elements(i, 4, |n, i| tool_call(doc, n, i, items))
        } else {
            doc.skip(i, 4)
        }
    })
}

/// One entry of `tool_calls`; `n` is its place in the array, the key when it
/// has no `index` (some servers leave it out when there is one call).
fn tool_call<'a>(doc: &Doc<'a>, n: usize, i: usize, items: &mut Items<'a>) -> Result<usize, JsonError> {
    if doc.byte(i) != Some(b'{') {
        return doc.skip(i, 5);
    }
    let (mut index, mut id, mut name, mut arguments) = (None, None, None, None);
    let end = doc.members(i, 5, |key, i| {
        if key.is("index") {
            let (value, end) = doc.value(i, 6)?;
            index = index.or(index_of(value));
            Ok(end)
        } else if key.is("id") {
            let (value, end) = doc.value(i, 6)?;
            id = id.or(str_of(value));
            Ok(end)
        } else if key.is("function") && doc.byte(i) == Some(b'{') {
            doc.members(i, 6, |key, i| {
                let (value, end) = doc.value(i, 7)?;
                if key.is("name") {
                    name = name.or(str_of(value));
                } else if key.is("arguments") {
                    arguments = arguments.or(str_of(value));
                }
                Ok(end)
            })
        } else {
            doc.skip(i, 6)
        }
    })?;
    let key = CallKey::Index(index.unwrap_or(n as u64));
    items.push(Item::ToolStart { key, id, name });
    if let Some(text) = arguments.filter(|a| !a.is_empty()) {
        items.push(Item::ToolArgs { key, text });
    }
    Ok(end)
}
