//! Sense data (SPC-4 §4.5): the fixed (70h/71h) and descriptor (72h/73h) formats, sense
//! keys, the ASC/ASCQ table with names, progress indication, and a [`SenseClass`] the
//! write engine acts on.
//!
//! Views ([`FixedSense`], [`DescriptorSense`]) read fields straight from the bytes and never
//! panic; [`Sense::parse`] accepts either format and validates the response code. Only the
//! bytes actually transferred are read: a field past the end of a short fixed-format
//! buffer reads as zero (as sg3_utils does), and descriptors are walked within the
//! buffer, however long the additional sense length claims the list to be.
//!
//! ```
//! use discburn_mmc::sense::{Asc, Sense, SenseClass, SenseKey};
//!
//! let raw = [0x70, 0, 0x02, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x04, 0x08, 0, 0, 0, 0];
//! let sense = Sense::parse(&raw)?;
//! assert_eq!(sense.key, SenseKey::NotReady);
//! assert_eq!(sense.code(), Asc::LONG_WRITE_IN_PROGRESS);
//! assert_eq!(sense.classify(), SenseClass::LongWriteInProgress);
//! assert!(sense.classify().is_retryable_wait());
//! assert!(sense.is(SenseKey::NotReady, Asc::LONG_WRITE_IN_PROGRESS));
//! assert_eq!(sense.to_string(), "NOT READY, LONG WRITE IN PROGRESS (2/04/08)");
//! # Ok::<(), discburn_mmc::wire::Error>(())
//! ```

mod asc;
mod class;
mod descriptor;
mod fixed;
mod key;
mod model;

pub use asc::{asc_name, Asc};
pub use class::{Refusal, SenseClass};
pub use descriptor::{
    CommandSpecificDescriptor, DescriptorSense, FruDescriptor, InformationDescriptor,
    SenseDescriptor, SenseDescriptors, SenseKeySpecificDescriptor, RESPONSE_DESCRIPTOR_CURRENT,
    RESPONSE_DESCRIPTOR_DEFERRED,
};
pub use fixed::{FixedSense, RESPONSE_FIXED_CURRENT, RESPONSE_FIXED_DEFERRED};
pub use key::SenseKey;
pub use model::{FieldPointer, Sense, SenseFormat};
