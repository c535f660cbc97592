//! What every discburn-mmc fuzz target checks, once: a CDB or a structure that parses
//! re-emits to bytes that parse back to the same value. Included by each `mmc_*` target
//! with `#[path = "../common/mmc.rs"] mod mmc;`.
// Each target uses a subset (the macros are re-exported with `use`, hence unused_imports).
#![allow(dead_code, unused_imports, unused_macros)]

use core::fmt::Debug;

use discburn_mmc::wire::Repr;
use discburn_mmc::Command;

/// Parses `data` as the CDB of `C`; what parses must emit a CDB that parses back to it.
pub fn cdb<C: Command + PartialEq + Debug>(data: &[u8]) -> Option<C> {
    let c = C::parse(data).ok()?;
    assert_eq!(C::parse(c.emit().as_bytes()).as_ref(), Ok(&c));
    Some(c)
}

/// Parses `data` as `R`; what parses must emit exactly `buffer_len` bytes that parse back
/// to it.
pub fn repr<R: Repr + PartialEq + Debug>(data: &[u8]) -> Option<R> {
    let r = R::parse(data).ok()?;
    let mut out = vec![0u8; r.buffer_len()];
    assert_eq!(r.emit(&mut out), Ok(r.buffer_len()));
    assert_eq!(R::parse(&out).as_ref(), Ok(&r));
    Some(r)
}

/// [`cdb`] for each command type listed: `cdbs!(data, [Read10, Write10])`.
macro_rules! cdbs {
    ($data:expr, [$($c:ty),+ $(,)?]) => {
        $($crate::mmc::cdb::<$c>($data);)+
    };
}
pub(crate) use cdbs;

/// [`repr`] for each structure type listed: `reprs!(data, [Toc, SessionInfo])`.
macro_rules! reprs {
    ($data:expr, [$($r:ty),+ $(,)?]) => {
        $($crate::mmc::repr::<$r>($data);)+
    };
}
pub(crate) use reprs;
