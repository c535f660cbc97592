//! # discburn-udf — UDF written by hand
//!
//! Universal Disk Format volumes (ECMA-167 3rd edition with OSTA UDF 1.02, 2.01, 2.50
//! and 2.60) for CD, DVD and BD images, in four parts:
//!
//! * [`desc`] — a typed view and an owned `Repr` for every descriptor (tag with its
//!   checksum and CRC-16, VRS, AVDP, PVD, IUVD with LVInfo, PD, LVD with type 1,
//!   metadata, sparable and virtual partition maps, USD, TD, LVID, FSD, FE, EFE, AED,
//!   FID, path components), in the never-panic wire style; [`cs0`] for OSTA CS0 names.
//! * [`plan`] — a sans-I/O layout planner: a [`Tree`](plan::Tree) of directories,
//!   files (a length and a [`FileId`](plan::FileId)) and symlinks in, a
//!   [`Plan`](plan::Plan) out: the volume's size and its regions in ascending block
//!   order, each UDF structure bytes or "file N's bytes `[offset, offset + len)` at
//!   block B".
//! * [`emit`] — the streaming emitter: [`UdfStream`](emit::UdfStream) turns a plan
//!   into the image's bytes (an `io::Read`, or `write_sparse` to a seekable sink),
//!   pulling file data through [`FileData`](emit::FileData); memory does not grow with
//!   file size.
//! * [`read`] — a bounded reader for the same structures (and for what mkudffs and
//!   hadris-udf write), to verify an image or append to it.
//!
//! ```
//! use discburn_udf::desc::UnixTime;
//! use discburn_udf::emit::UdfStream;
//! use discburn_udf::plan::{plan, Entry, FileId, Meta, Node, Options, Revision, Tree};
//! use discburn_udf::read::Volume;
//! use std::io::Read;
//!
//! let tree = Tree {
//!     root: Meta { mode: 0o755, ..Meta::default() },
//!     entries: vec![Entry {
//!         name: "Überraschung ✓.txt".as_bytes().to_vec(),
//!         meta: Meta { mode: 0o644, ..Meta::default() },
//!         node: Node::File { id: FileId(1), len: 5 },
//!     }],
//! };
//! let opts = Options::new(Revision::V2_50, "MY_DISC", UnixTime { secs: 1_700_000_000, nanos: 0 });
//! let plan = plan(&tree, &opts)?;
//!
//! let mut image = Vec::new();
//! UdfStream::new(&plan, |_: FileId, offset: u64, buf: &mut [u8]| {
//!     buf.copy_from_slice(&b"hello"[offset as usize..][..buf.len()]);
//!     Ok(())
//! })
//! .read_to_end(&mut image)?;
//! assert_eq!(image.len() as u64, plan.total_blocks * 2048);
//!
//! let mut volume = Volume::open(&image[..], plan.total_blocks)?;
//! assert_eq!(volume.info().udf_revision, 0x0250);
//! let entries = volume.entries()?;
//! assert_eq!(entries[1].path, "Überraschung ✓.txt");
//! assert_eq!(volume.read_file(&entries[1])?, b"hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Layout
//!
//! See [`plan`]: VRS from sector 16, the main VDS, the integrity sequence (a closed
//! LVID), the AVDP at 256, one read-only type 1 partition from 257, the reserve VDS and
//! an AVDP in the last 17 sectors. UDF 2.50/2.60 put the FSD, every File Entry and
//! every directory in a metadata partition (type 2 map) whose metadata file has a
//! duplicate mirror; file data stay in the physical partition.
//!
//! ## The ISO 9660 bridge
//!
//! When an ISO 9660 writer has already placed every file's data, UDF describes the
//! same blocks ([`plan::plan_bridge`]), in two steps:
//!
//! 1. [`plan::measure`]`(tree, opts)` gives [`Measure::reserved_end`](plan::Measure):
//!    the first block after the UDF structures. The ISO writer must place its
//!    directories and files at or after it (hadris-iso: `with_min_blocks(reserved_end)`).
//! 2. [`plan::plan_bridge`]`(tree, opts, &Bridge { vrs_start, reserved, extents, end })`
//!    with
//!    * `vrs_start`: the sector after the ISO 9660 volume descriptor set terminator; the
//!      VRS (BEA01, NSR0x, TEA01) takes 3 sectors there;
//!    * `reserved`: the blocks left to UDF, which must hold sector 256 and reach
//!      `reserved_end`; it starts at `vrs_start` (the VRS inside it) or at or after
//!      `vrs_start + 3`. The main VDS and LVID go at its start, the AVDP at 256, the
//!      partition's structures from 257;
//!    * `extents`: every file's stored extents (absolute block, bytes), in file order,
//!      all at or after `reserved.end`;
//!    * `end`: the volume's size in blocks; its last [`TAIL_BLOCKS`](plan::TAIL_BLOCKS)
//!      (reserve VDS, last AVDP) come after the ISO 9660 image, which the caller pads
//!      to `end` (hadris-iso: `with_min_image_blocks(end)`).
//!
//!    The plan's regions are UDF structures only, disjoint from every file extent; the
//!    caller writes them in between the ISO 9660 stream's blocks. The partition runs
//!    from 257 to `end - 17` and so covers every file.
//!
//! ## Contract
//!
//! Views never panic, `Repr::parse` checks the tag (identifier, checksum, CRC) and
//! every recorded length; the planner returns a [`PlanError`](plan::PlanError), the
//! reader a [`ReadError`](read::ReadError) naming the descriptor and block, and bounds
//! depth, entries, extents and directory sizes.
#![forbid(unsafe_code)]

pub mod cs0;
pub mod desc;
pub mod emit;
pub mod plan;
pub mod read;
pub mod wire;
