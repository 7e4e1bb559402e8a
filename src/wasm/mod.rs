//! The only module that knows about JavaScript: wasm-bindgen bindings over the
//! sans-IO core. Compiled for `wasm32` only. Nothing here touches `window` or
//! `document`, so the same build runs in a page, a worker and Node.

// Both default features; `--no-default-features` builds the parser alone.
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "delta")]
pub mod delta;
pub mod parser;
