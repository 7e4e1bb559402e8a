#![doc = include_str!("../README.md")]
// The `wasm-sse/parser` build (wasm32 without the `std` feature) is `no_std`:
// see the `std` feature in Cargo.toml.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

// Talc instead of the standard library's dlmalloc: a third of its code size in
// the wasm, and faster on the small, short-lived allocations of parsing.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(any(feature = "std", not(target_arch = "wasm32")))]
pub mod delta;
pub mod parser;
#[cfg(any(feature = "std", not(target_arch = "wasm32")))]
pub mod reconnect;
mod utf16;

// Without std, a panic (which the parser's tests show unreachable) traps
// instead of formatting a message nobody would read.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

// The bindings behind the npm package: public only so that wasm-bindgen and
// the crate's own wasm tests reach them; not an API of the crate.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

/// The fetch client for Rust wasm apps: [`client::EventSource`] streams events as
/// a `futures` `Stream`. wasm32 only, with the default `client` feature.
#[cfg(all(target_arch = "wasm32", feature = "client"))]
pub mod client {
    pub use crate::reconnect::{Metrics, ReconnectOptions, StreamError};
    pub use crate::wasm::client::{ClientError, EventSource, EventStream, Message};
}
