//! What the `discburn` command reads from files anyone may hand it — job files and burn
//! records — as a library of its own, so the fuzz targets reach the same parsers the
//! command runs. No I/O here: text in, typed values or a sentence out.
#![forbid(unsafe_code)]

pub mod job_file;
pub mod record_view;
