//! Helpers shared by the delta integration tests and `benches/native/flicker.rs`.

#![allow(dead_code)]

pub mod markdown_rule;
pub mod partial_input;
pub mod streaming;
