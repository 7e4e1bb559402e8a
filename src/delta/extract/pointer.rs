//! A user's JSON pointer: the answer text only, at any path.

use super::{is_done_marker, json, key, stream_error, DeltaError, Item, Items, Step, Str, Value};

pub(super) fn items<'a>(path: &[Step], data: &'a str, items: &mut Items<'a>) -> Result<(), DeltaError> {
    if is_done_marker(data) {
        items.push(Item::Done);
        return Ok(());
    }
    // One pass over the whole document, which also finds a top-level `"error"`
    // member wherever it is (before or after the path).
    match json::lookup_checked(data, path)? {
        json::Found::Value(Some(Value::Str { raw, escaped })) => {
            items.push(Item::Text(Str::Json { raw, escaped }))
        }
        json::Found::Value(_) => {}
        json::Found::Error => return Err(stream_error(data, &[key("error")])),
    }
    Ok(())
}
