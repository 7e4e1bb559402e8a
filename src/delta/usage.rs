//! The usage of an answer, as the provider sent it, merged across events:
//! Anthropic sends the input tokens in `message_start` and the output tokens
//! in `message_delta`; OpenAI sends all of it once, at the end.

use super::json::Doc;

/// The usage object so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Usage {
    /// Top-level members as raw JSON: name (still escaped) and value.
    members: Vec<(String, String)>,
    /// The merged object as JSON text; empty until a usage arrived.
    pub(crate) json: String,
    /// Changed since the last flush.
    pub(crate) changed: bool,
}

impl Usage {
    /// Merges the members of the usage object `raw` (well formed: it was read
    /// as part of its event): a later value replaces an earlier one, except
    /// that `null` never replaces a number.
    pub(crate) fn merge(&mut self, raw: &str) {
        let doc = Doc::new(raw);
        let mut members = std::mem::take(&mut self.members);
        let read = doc.members(doc.start(), 1, |key, i| {
            let end = doc.skip(i, 2)?;
            let value = raw.get(i..end).unwrap_or("null");
            match members.iter_mut().find(|(name, _)| name == key.raw()) {
                Some((_, old)) if value != "null" => value.clone_into(old),
                Some(_) => {}
                None => members.push((key.raw().to_owned(), value.to_owned())),
            }
            Ok(end)
        });
        self.members = members;
        if read.is_err() {
            return;
        }
        self.json.clear();
        self.json.push('{');
        for (n, (name, value)) in self.members.iter().enumerate() {
            if n > 0 {
                self.json.push(',');
            }
            self.json.push('"');
            self.json.push_str(name);
            self.json.push_str("\":");
            self.json.push_str(value);
        }
        self.json.push('}');
        self.changed = true;
    }
}
