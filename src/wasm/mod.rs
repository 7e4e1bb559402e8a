//! The only module that knows about JavaScript: wasm-bindgen bindings over the
//! sans-IO core. Compiled for `wasm32` only. Nothing here touches `window` or
//! `document`, so the same build runs in a page, a worker and Node.

pub mod parser;
