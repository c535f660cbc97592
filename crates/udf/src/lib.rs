//! UDF written by hand.
#![forbid(unsafe_code)]

pub mod cs0;
pub mod desc;
pub mod emit;
pub mod plan;
pub mod read;
pub mod wire;
