#![doc = include_str!("../README.md")]

pub mod parser;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
