//! The reader reads what this crate writes (standalone and bridge), what mkudffs
//! (udftools) writes and what hadris-udf writes.

mod common;

use std::collections::HashMap;
use std::fs::File;

use common::*;
use discburn_udf::emit::UdfStream;
use discburn_udf::plan::{self, Bridge, FileId, Region, Revision, StoredExtent};
use discburn_udf::read::{EntryKind, ReadError, SeekBlocks, Volume};
use tempfile::TempDir;

fn open(path: &std::path::Path) -> Volume<SeekBlocks<File>> {
    let f = File::open(path).unwrap();
    let blocks = f.metadata().unwrap().len() / 2048;
    Volume::open(SeekBlocks(f), blocks).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn reads_back_what_it_writes() {
    let tmp = TempDir::new().unwrap();
    for rev in ALL {
        let img = tmp.path().join("small.img");
        write_small(rev, &img);
        let mut vol = open(&img);
        assert_eq!(vol.info().udf_revision, opts(rev).revision.bcd());
        assert_eq!(vol.info().volume_id, "DISCBURN");
        let entries = vol.entries().unwrap();
        let by_path: HashMap<_, _> = entries.iter().map(|e| (e.path.clone(), e)).collect();
        assert_eq!(entries.len(), 8);
        assert_eq!(by_path[""].kind, EntryKind::Dir);
        assert_eq!(by_path[""].unique_id, 0);
        assert!(entries[1..].iter().all(|e| e.unique_id >= 16));
        assert_eq!(
            by_path["link"].kind,
            EntryKind::Symlink("docs/deeper/pattern.bin".into())
        );
        assert_eq!(by_path["docs"].file_link_count, 2);
        for (path, data) in small_contents() {
            let e = by_path[path];
            assert_eq!(e.kind, EntryKind::File);
            assert_eq!(e.size, data.len() as u64);
            assert_eq!(e.mtime, TIME);
            assert_eq!((e.uid, e.gid), (1000, 1000));
            assert!(vol.read_file(e).unwrap() == data, "{path}");
        }
    }
}

#[test]
fn reads_back_write_once_vat_images() {
    let tmp = TempDir::new().unwrap();
    for rev in [Revision::V2_01, Revision::V2_50, Revision::V2_60] {
        let img = tmp.path().join("vat.img");
        let p = write_tree(&small_tree(), &write_once(rev), &img);
        // The VAT's entry is the last sector: no trailing anchor on an open disc.
        assert!(matches!(p.regions.last(), Some(Region::Meta { .. })));
        let mut vol = open(&img);
        assert_eq!(vol.info().anchor, 256);
        let entries = vol.entries().unwrap();
        assert_eq!(entries.len(), 8);
        for (path, data) in small_contents() {
            let e = entries.iter().find(|e| e.path == path).unwrap();
            assert!(vol.read_file(e).unwrap() == data, "{path}");
        }
    }
    assert!(matches!(
        plan::plan(&small_tree(), &write_once(Revision::V1_02)),
        Err(plan::PlanError::Unsupported(_))
    ));
}

#[test]
fn reads_the_sparse_big_file_extents() {
    let tmp = TempDir::new().unwrap();
    for rev in ALL {
        let img = tmp.path().join("big.img");
        let plan = write_big(rev, &img);
        let mut vol = open(&img);
        let entries = vol.entries().unwrap();
        let huge = entries.iter().find(|e| e.path == "video/huge.bin").unwrap();
        assert_eq!(huge.size, BIG_LEN);
        // 2^30 − 2048 bytes per extent: six extents, merged back into one contiguous run.
        let planned: Vec<_> = plan
            .regions
            .iter()
            .filter_map(|r| match r {
                Region::File {
                    block, file, len, ..
                } if file.0 == 9 => Some((*block, *len)),
                _ => None,
            })
            .collect();
        assert_eq!(planned.len(), 1);
        assert_eq!(huge.extents.len(), 1);
        assert_eq!(huge.extents[0].block, planned[0].0);
        assert_eq!(huge.extents[0].len, BIG_LEN);
        for (i, &spot) in BIG_SPOTS.iter().enumerate() {
            let mut b = [0u8; 2];
            vol.read_at(huge, spot, &mut b[..1]).unwrap();
            assert_eq!(b[0], big_spot_byte(i), "spot {spot}");
        }
    }
}

#[test]
fn the_mirror_stands_in_for_a_bad_metadata_file_entry() {
    let tmp = TempDir::new().unwrap();
    let img = tmp.path().join("small.img");
    let plan = write_small(Revision::V2_50, &img);
    let mut bytes = std::fs::read(&img).unwrap();
    // The metadata file's FE is the first block of the partition.
    let at = (plan.partition_start * 2048) as usize;
    bytes[at + 100] ^= 0xFF;
    let blocks = bytes.len() as u64 / 2048;
    let mut vol = Volume::open(&bytes[..], blocks).unwrap();
    assert!(vol.info().used_metadata_mirror);
    assert_eq!(vol.entries().unwrap().len(), 8);
    // With the mirror's FE broken too, opening fails with a typed error.
    bytes[at + 2048 + 100] ^= 0xFF;
    assert!(matches!(
        Volume::open(&bytes[..], blocks),
        Err(ReadError::Descriptor { .. })
    ));
}

#[test]
fn the_reserve_sequence_stands_in_for_a_bad_main_one() {
    let tmp = TempDir::new().unwrap();
    let img = tmp.path().join("small.img");
    write_small(Revision::V2_01, &img);
    let mut bytes = std::fs::read(&img).unwrap();
    // Main VDS at 32: break its LVD (sector 35) and the AVDP at 256.
    bytes[35 * 2048 + 300] ^= 1;
    bytes[256 * 2048 + 20] ^= 1;
    let blocks = bytes.len() as u64 / 2048;
    let mut vol = Volume::open(&bytes[..], blocks).unwrap();
    assert!(vol.info().used_reserve_vds);
    assert_eq!(vol.info().anchor, blocks - 1);
    assert_eq!(vol.entries().unwrap().len(), 8);
}

#[test]
fn bridge_plan_reads_back_over_caller_placed_data() {
    // A stand-in for the ISO 9660 writer: VDs at 16..18, files placed after the reserved
    // range, the volume ending after them.
    for rev in ALL {
        let tree = small_tree();
        let o = opts(rev);
        let m = plan::measure(&tree, &o).unwrap();
        let reserved = 18..m.reserved_end + 5;
        let mut extents = HashMap::new();
        let mut next = reserved.end + 40;
        let mut placed = Vec::new();
        for (id, len) in [(1u32, 13u64), (2, 0), (3, 26), (4, PATTERN_LEN)] {
            let v = if len == 0 {
                Vec::new()
            } else if id == 4 {
                // Two pieces, as an ISO multi-extent file would be.
                let a = StoredExtent {
                    block: next,
                    len: 1 << 20,
                };
                let b = StoredExtent {
                    block: next + 1000,
                    len: len - (1 << 20),
                };
                vec![a, b]
            } else {
                vec![StoredExtent { block: next, len }]
            };
            next += 3000;
            placed.extend(v.iter().map(|x| (FileId(id), *x)));
            extents.insert(FileId(id), v);
        }
        let end = next + 17;
        let bridge = Bridge {
            vrs_start: 18,
            reserved,
            extents,
            end,
        };
        let p = plan::plan_bridge(&tree, &o, &bridge).unwrap();
        assert!(p.regions.iter().all(|r| matches!(r, Region::Meta { .. })));
        let mut image = vec![0u8; (end * 2048) as usize];
        for r in &p.regions {
            if let Region::Meta { block, bytes } = r {
                let at = (*block * 2048) as usize;
                image[at..at + bytes.len()].copy_from_slice(bytes);
            }
        }
        let mut offsets: HashMap<FileId, u64> = HashMap::new();
        for (id, x) in placed {
            let off = offsets.entry(id).or_default();
            let at = (x.block * 2048) as usize;
            small_data(id, *off, &mut image[at..at + x.len as usize]).unwrap();
            *off += x.len;
        }
        let mut vol = Volume::open(&image[..], end).unwrap();
        let entries = vol.entries().unwrap();
        for (path, data) in small_contents() {
            let e = entries.iter().find(|e| e.path == path).unwrap();
            assert!(vol.read_file(e).unwrap() == data, "{path} ({rev:?})");
        }
        let pattern = entries
            .iter()
            .find(|e| e.path == "docs/deeper/pattern.bin")
            .unwrap();
        assert_eq!(pattern.extents.len(), 2);
        // The stream of a bridge plan is the UDF structures alone.
        let n = UdfStream::new(
            &p,
            |_: FileId, _: u64, _: &mut [u8]| -> std::io::Result<()> {
                panic!("a bridge plan has no file regions")
            },
        )
        .write_sparse(&mut std::io::Cursor::new(Vec::new()))
        .unwrap();
        assert_eq!(n, end * 2048);
    }
}

fn mkudffs(args: &[&str], img: &std::path::Path, blocks: u64) {
    File::create(img).unwrap().set_len(blocks * 2048).unwrap();
    let mut all = args.to_vec();
    all.push(img.to_str().unwrap());
    let (ok, out, err) = run("mkudffs", &all);
    assert!(ok, "mkudffs {args:?}: {out}{err}");
}

#[test]
fn reads_what_mkudffs_writes() {
    let tmp = TempDir::new().unwrap();
    let cases: [(&[&str], u16); 5] = [
        (
            &["--media-type=hd", "--blocksize=2048", "--udfrev=0x0102"],
            0x0102,
        ),
        (
            &["--media-type=hd", "--blocksize=2048", "--udfrev=0x0201"],
            0x0201,
        ),
        // Write-once media: a virtual partition through the VAT (UDF 2.2.8, 2.2.11).
        (&["--media-type=dvdr", "--udfrev=0x0201"], 0x0201),
        (&["--media-type=bdr", "--udfrev=0x0250"], 0x0250),
        (&["--media-type=bdr", "--udfrev=0x0260"], 0x0260),
    ];
    for (i, (args, bcd)) in cases.into_iter().enumerate() {
        let img = tmp.path().join(format!("mk{i}.img"));
        mkudffs(args, &img, 32768);
        let mut vol = open(&img);
        assert_eq!(vol.info().udf_revision, bcd, "{args:?}");
        assert_eq!(vol.info().logical_volume_id, "LinuxUDF");
        let entries = vol.entries().unwrap();
        assert_eq!(entries.len(), 1, "{args:?}: {entries:?}");
        assert_eq!(entries[0].kind, EntryKind::Dir);
    }
}

#[test]
fn reads_what_hadris_udf_writes() {
    use hadris_fs::{Content, Node, Tree};
    use hadris_storage::{BlockSize, MemDevice};
    use hadris_udf::{UdfId, UdfOptions, UdfRevision};
    for (rev, bcd) in [(UdfRevision::V1_02, 0x0102), (UdfRevision::V2_01, 0x0201)] {
        let mut tree = Tree::new();
        tree.insert("readme.txt", Node::file(Content::bytes("Hello, World!")))
            .unwrap();
        tree.insert("sub", Node::dir()).unwrap();
        tree.insert(
            "sub/Überraschung ✓.txt",
            Node::file(Content::bytes(vec![7u8; 70_000])),
        )
        .unwrap();
        let options = UdfOptions::default()
            .with_id(UdfId::Volume, "HADRIS")
            .with_revision(rev);
        let report = hadris_udf::plan(&tree, &options).unwrap();
        let sector = BlockSize::new(2048).unwrap();
        let mut dev = MemDevice::new(vec![0u8; report.size() as usize], sector);
        hadris_udf::sync::write(&mut dev, &tree, &options).unwrap();
        let bytes = dev.into_inner();
        let mut vol = Volume::open(&bytes[..], bytes.len() as u64 / 2048).unwrap();
        assert_eq!(vol.info().udf_revision, bcd);
        assert_eq!(vol.info().volume_id, "HADRIS");
        let entries = vol.entries().unwrap();
        let readme = entries.iter().find(|e| e.path == "readme.txt").unwrap();
        assert_eq!(vol.read_file(readme).unwrap(), b"Hello, World!");
        let uni = entries
            .iter()
            .find(|e| e.path == "sub/Überraschung ✓.txt")
            .unwrap();
        assert_eq!(vol.read_file(uni).unwrap(), vec![7u8; 70_000]);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Bytes changed anywhere in an image give entries or a typed error, never a panic.
    #[test]
    fn a_damaged_image_never_panics(
        patches in proptest::collection::vec((0usize..400 * 2048, proptest::prelude::any::<u8>()), 1..16),
        rev in 0usize..4,
    ) {
        use std::sync::OnceLock;
        static IMAGES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        let images = IMAGES.get_or_init(|| {
            ALL.iter()
                .map(|&rev| {
                    let p = plan::plan(&small_tree_no_link(), &opts(rev)).unwrap();
                    let mut out = std::io::Cursor::new(Vec::new());
                    UdfStream::new(&p, small_data).write_sparse(&mut out).unwrap();
                    out.into_inner()
                })
                .collect()
        });
        let mut image = images[rev].clone();
        for (at, v) in patches {
            let at = at % image.len();
            image[at] = v;
        }
        let blocks = image.len() as u64 / 2048;
        if let Ok(mut vol) = Volume::open(&image[..], blocks) {
            if let Ok(entries) = vol.entries() {
                for e in entries.iter().filter(|e| e.size < 1 << 16) {
                    let _ = vol.read_file(e);
                }
            }
        }
    }
}

/// Parses `bytes` as a `D` and emits it again with the same tag fields: the same bytes.
fn reemits<D: discburn_udf::desc::Descriptor + std::fmt::Debug>(bytes: &[u8], what: &str) {
    use discburn_udf::desc::tag::{Tag, TagInfo};
    let d = D::parse(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    let t = Tag::new_unchecked(bytes);
    let info = TagInfo {
        descriptor_version: t.descriptor_version(),
        tag_serial_number: t.tag_serial_number(),
        tag_location: t.tag_location(),
    };
    let out = d.to_bytes(info).unwrap();
    assert_eq!(
        out.len(),
        16 + usize::from(t.descriptor_crc_length()),
        "{what}"
    );
    assert!(out[..] == bytes[..out.len()], "{what} re-emits differently");
}

#[test]
fn mkudffs_descriptors_reemit_byte_for_byte() {
    use discburn_udf::desc::*;
    let tmp = TempDir::new().unwrap();
    for rev in ["0x0102", "0x0201"] {
        let img = tmp.path().join("mk.img");
        mkudffs(
            &[
                "--media-type=hd",
                "--blocksize=2048",
                &format!("--udfrev={rev}"),
            ],
            &img,
            16384,
        );
        let bytes = std::fs::read(&img).unwrap();
        let block = |n: u64| &bytes[(n * 2048) as usize..((n + 1) * 2048) as usize];
        let avdp = AnchorVolumeDescriptorPointer::parse(block(256)).unwrap();
        reemits::<AnchorVolumeDescriptorPointer>(block(256), "AVDP");
        let vds = avdp.main_volume_descriptor_sequence_extent;
        let mut seen = Vec::new();
        let mut lvd = None;
        let mut pd_start = None;
        for n in 0..u64::from(vds.extent_length) / 2048 {
            let b = block(u64::from(vds.extent_location) + n);
            let id = tag::peek_identifier(b);
            seen.push(id);
            match id {
                TagIdentifier::PrimaryVolumeDescriptor => {
                    reemits::<PrimaryVolumeDescriptor>(b, "PVD")
                }
                TagIdentifier::ImplementationUseVolumeDescriptor => {
                    reemits::<ImplementationUseVolumeDescriptor>(b, "IUVD")
                }
                TagIdentifier::PartitionDescriptor => {
                    reemits::<PartitionDescriptor>(b, "PD");
                    let pd = PartitionDescriptor::parse(b).unwrap();
                    pd_start = Some(u64::from(pd.partition_starting_location));
                }
                TagIdentifier::LogicalVolumeDescriptor => {
                    reemits::<LogicalVolumeDescriptor>(b, "LVD");
                    lvd = Some(LogicalVolumeDescriptor::parse(b).unwrap());
                }
                TagIdentifier::UnallocatedSpaceDescriptor => {
                    reemits::<UnallocatedSpaceDescriptor>(b, "USD")
                }
                TagIdentifier::TerminatingDescriptor => {
                    reemits::<TerminatingDescriptor>(b, "TD");
                    break;
                }
                _ => {}
            }
        }
        assert!(
            seen.contains(&TagIdentifier::LogicalVolumeDescriptor),
            "{seen:?}"
        );
        let lvd = lvd.unwrap();
        let lvid_at = u64::from(lvd.integrity_sequence_extent.extent_location);
        reemits::<LogicalVolumeIntegrityDescriptor>(block(lvid_at), "LVID");
        let lvid = LogicalVolumeIntegrityDescriptor::parse(block(lvid_at)).unwrap();
        let iu = lvid.udf_implementation_use().unwrap();
        assert_eq!(iu.number_of_directories, 1);
        // The FSD and the root's entry, in the partition.
        let pd_start = pd_start.expect("a partition descriptor");
        let fsd_block = pd_start
            + u64::from(
                lvd.logical_volume_contents_use
                    .extent_location
                    .logical_block_number,
            );
        reemits::<FileSetDescriptor>(block(fsd_block), "FSD");
        let fsd = FileSetDescriptor::parse(block(fsd_block)).unwrap();
        let root = block(
            pd_start + u64::from(fsd.root_directory_icb.extent_location.logical_block_number),
        );
        match tag::peek_identifier(root) {
            TagIdentifier::FileEntry => reemits::<FileEntry>(root, "FE"),
            TagIdentifier::ExtendedFileEntry => reemits::<ExtendedFileEntry>(root, "EFE"),
            other => panic!("root entry is {other:?}"),
        }
    }
}
