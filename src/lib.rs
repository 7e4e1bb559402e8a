#![doc = include_str!("../README.md")]

pub mod delta;
pub mod parser;
pub mod reconnect;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
