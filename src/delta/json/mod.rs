//! JSON for the delta pipeline, without a tree and without serde:
//!
//! * [`scan`]: walks one event's `data` once to find the members a wire format
//!   needs, and unescapes strings (no allocation on the hot path);
//! * [`partial`]: follows a JSON text that arrives in fragments (a tool call's
//!   arguments) and reports the value parsed so far, O(new bytes) per fragment.

pub(crate) mod partial;
mod scan;

pub(crate) use scan::*;
