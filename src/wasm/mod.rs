//! The only module that knows about JavaScript: wasm-bindgen bindings over the
//! sans-IO core. Compiled for `wasm32` only. Nothing here touches `window` or
//! `document`, so the same build runs in a page, a worker and Node.

// The fetch client (issue 3) and the delta pipeline bindings (issue 4) are not
// in the npm package yet: the client is untested work in progress, and the
// delta core would take the wasm from 12 KB to 54 KB gzipped until it ships as
// its own module. Build them with `--features client` / `--features delta`.
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "delta")]
pub mod delta;
pub mod parser;
