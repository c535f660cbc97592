//! Folders burnt as later sessions of appendable discs (DVD+R, BD-R, CD-R,
//! DVD-R) on the virtual recorder with a simulated clock: each session is
//! addressed from its own start, and its tree carries the earlier sessions'
//! files forward in place. On rewritable media (DVD+RW, BD-RE, DVD-RAM) a
//! multi-session burn grows the volume at sector 0 as `growisofs -M` does,
//! and a burn stopped before its descriptors are rewritten leaves the old
//! volume whole. The disc's last session is parsed back from the recorder's
//! image file with hadris-iso and compared file by file.

use std::fs;
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use discburn::burn::{
    self, BurnError, BurnEvent, BurnOptions, BurnPhase, Closing, Note, Source, Unsuitable,
};
use discburn::iso::{FolderImage, IsoError, IsoSettings};
use discburn::mmc::transport::Request;
use discburn::testing_folder::{folder, pattern, Files};
use discburn::{CancelToken, Recorder};
use discburn_vdrive::{DriveControl, Fault};
use hadris_fs::MountOptions;
use hadris_iso::sync::IsoFs;
use hadris_iso::Namespace;
use hadris_storage::{BlockSize, MemDevice};

mod common;
use common::{hooked_recorder, mount, read_file};

struct Rig {
    dir: tempfile::TempDir,
    rec: Arc<Recorder>,
    control: DriveControl,
}

fn rig(media: &str) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let (rec, control) = hooked_recorder(
        dir.path(),
        &format!("media={media}&speed=4x&buffer=2MiB"),
        |_: &Request<'_>| None,
    );
    Rig { dir, rec, control }
}

fn opts(closing: Closing) -> BurnOptions {
    BurnOptions::default()
        .with_closing(closing)
        .with_verify(true)
}

fn settings() -> IsoSettings {
    IsoSettings {
        time: Some(1_700_000_000),
        ..Default::default()
    }
}

/// Folders `src/A` and `src/B`: B adds files beside A's and replaces A's
/// `shared/same.txt` with a longer one.
fn folders_a_b(src: &Path) -> (Files, Files) {
    let a = folder(
        &src.join("A"),
        &[
            ("a.txt", b"from A\n".to_vec()),
            ("shared/same.txt", b"A's version".to_vec()),
            ("dir/keep.bin", pattern(9000, 1)),
        ],
    );
    let b = folder(
        &src.join("B"),
        &[
            ("b.txt", b"from B\n".to_vec()),
            ("shared/same.txt", b"B's version, longer than A's".to_vec()),
            ("dir/b-only.bin", pattern(5000, 2)),
        ],
    );
    (a, b)
}

fn burn_folder(rig: &Rig, root: &Path, closing: Closing) -> Result<burn::BurnReport, BurnError> {
    let img = FolderImage::from_dir(root, &settings()).unwrap();
    burn::burn(
        &rig.rec,
        Source::Folder(Box::new(img)),
        &opts(closing),
        &CancelToken::new(),
        &mut |_| {},
    )
}

/// The disc image with the descriptor set of the session at `start` put at
/// block 16, as a reader that mounts the last session sees it (the kernel's
/// `session=` offset applies to the descriptors; every other address is
/// absolute).
fn last_session(image: &Path, start: u32) -> Vec<u8> {
    let mut disc = fs::read(image).unwrap();
    let from = (start as usize + 16) * 2048;
    let mut n = 0;
    while disc[from + n * 2048] != 255 {
        assert_eq!(&disc[from + n * 2048 + 1..from + n * 2048 + 6], b"CD001");
        n += 1;
    }
    let set = disc[from..from + (n + 1) * 2048].to_vec();
    disc[16 * 2048..16 * 2048 + set.len()].copy_from_slice(&set);
    disc
}

/// Every file of the last session, in its Rock Ridge and Joliet trees, is
/// `want`, and nothing else is there.
fn check_disc(rig: &Rig, start: u32, want: &Files, media: &str) {
    let disc = last_session(&rig.dir.path().join("d.img"), start);
    for ns in [Namespace::RockRidge, Namespace::Joliet] {
        let vol = mount(&disc, ns);
        for (path, data) in want {
            assert!(
                read_file(&vol, &format!("/{path}")) == *data,
                "{media} {ns:?}: /{path} differs"
            );
        }
        let tree = hadris_fs::sync::read_tree(&vol, "/").unwrap();
        let mut files = Vec::new();
        let mut pending = vec![(String::new(), tree.root())];
        while let Some((prefix, dir)) = pending.pop() {
            for (name, child) in dir.children() {
                let path = format!("{prefix}{}", String::from_utf8_lossy(name.as_bytes()));
                if child.node().content().is_some() {
                    files.push(path);
                } else {
                    pending.push((format!("{path}/"), child));
                }
            }
        }
        files.sort();
        let names: Vec<String> = want.keys().cloned().collect();
        assert_eq!(files, names, "{media} {ns:?}: the last session's files");
    }
}

/// Where the file's data lies on the disc (first sector).
fn extent_lba(rig: &Rig, start: u32, path: &str) -> u64 {
    let disc = last_session(&rig.dir.path().join("d.img"), start);
    let dev = MemDevice::new(disc, BlockSize::new(2048).unwrap());
    let mut iso = IsoFs::mount(dev, MountOptions::new()).unwrap();
    use hadris_fs::sync::FileSystem;
    let node = iso
        .resolve(path.as_bytes(), hadris_fs::Resolve::Lexical)
        .unwrap();
    let mut out = [hadris_fs::Extent::new(0, 0); 4];
    let n = iso.extents(node, 0, &mut out).unwrap();
    assert!(n > 0, "{path} has data");
    out[0].offset() / 2048
}

#[test]
fn three_folder_sessions_carry_every_file_forward_on_each_appendable_medium() {
    for media in ["dvd+r", "bd-r", "cd-r", "dvd-r"] {
        let rig = rig(media);
        let src = rig.dir.path();
        let (mut a, b) = folders_a_b(src);
        a.extend(folder(&src.join("A"), &[("empty", Vec::new())]));
        let c = folder(
            &src.join("C"),
            &[
                ("c/c.txt", b"from C".to_vec()),
                ("shared/other.txt", b"C beside B".to_vec()),
                ("Ünïcödé – C.txt", pattern(3000, 3)),
            ],
        );

        let first = burn_folder(&rig, &src.join("A"), Closing::Session)
            .unwrap_or_else(|e| panic!("{media} A: {e}"));
        assert_eq!(first.start_lba, 0, "{media}");
        check_disc(&rig, 0, &a, media);

        let second = burn_folder(&rig, &src.join("B"), Closing::Session)
            .unwrap_or_else(|e| panic!("{media} B: {e}"));
        assert!(second.start_lba > 0, "{media}: B follows A");
        assert!(second.verify.as_ref().is_some_and(|v| v.is_ok()));
        let mut want = a.clone();
        want.extend(b.clone());
        check_disc(&rig, second.start_lba, &want, media);
        // A's files are referenced where A put them, not copied.
        assert!(
            extent_lba(&rig, second.start_lba, "/dir/keep.bin") < u64::from(second.start_lba),
            "{media}: A's file stays in A's session"
        );
        assert!(
            extent_lba(&rig, second.start_lba, "/shared/same.txt") >= u64::from(second.start_lba),
            "{media}: B's replacement is in B's session"
        );

        let third = burn_folder(&rig, &src.join("C"), Closing::Disc)
            .unwrap_or_else(|e| panic!("{media} C: {e}"));
        assert!(third.start_lba > second.start_lba, "{media}");
        want.extend(c.clone());
        check_disc(&rig, third.start_lba, &want, media);
        let after = third.after.unwrap();
        assert!(after.is_closed(), "{media} is finalized");
        assert_eq!(after.sessions(), 3, "{media}");
        assert_eq!(after.last_session_start(), Some(third.start_lba));
    }
}

#[test]
fn a_session_is_no_larger_than_its_new_files_and_tree() {
    let rig = rig("bd-r");
    let src = rig.dir.path();
    folder(&src.join("A"), &[("big.bin", pattern(4 << 20, 7))]);
    folder(&src.join("B"), &[("small.txt", b"tiny".to_vec())]);
    burn_folder(&rig, &src.join("A"), Closing::Session).unwrap();
    let second = burn_folder(&rig, &src.join("B"), Closing::Session).unwrap();
    // The 4 MiB file (2048 sectors) is not written again: the session is its
    // system area, descriptors, trees, one small file and the 150 padding
    // sectors of `mkisofs -pad`.
    assert!(second.sectors < 250, "{} sectors", second.sectors);
}

#[test]
fn a_last_session_without_a_usable_iso_9660_volume_is_refused_before_writing() {
    let stream = |bytes: Vec<u8>| Source::Stream {
        sectors: (bytes.len() / 2048) as u64,
        reader: Box::new(Cursor::new(bytes)),
        label: "raw".into(),
    };
    let run = |rig: &Rig, source: Source| {
        burn::burn(
            &rig.rec,
            source,
            &opts(Closing::Session),
            &CancelToken::new(),
            &mut |_| {},
        )
    };

    // Raw data: no ISO 9660 descriptor at the session's start + 16.
    let rig1 = rig("dvd+r");
    run(&rig1, stream(pattern(64 * 2048, 9))).unwrap();
    folder(&rig1.dir.path().join("F"), &[("f.txt", b"f".to_vec())]);
    let e = burn_folder(&rig1, &rig1.dir.path().join("F"), Closing::Session).unwrap_err();
    assert!(
        matches!(
            e,
            BurnError::Iso(IsoError::PreviousSession { start: 0, .. })
        ),
        "{e}"
    );
    assert!(e.to_string().contains("no ISO 9660"), "{e}");

    // An ISO image mastered for sector 0, burnt as the second session.
    let rig2 = rig("bd-r");
    let src = rig2.dir.path();
    folder(&src.join("A"), &[("a.txt", b"a".to_vec())]);
    burn_folder(&rig2, &src.join("A"), Closing::Session).unwrap();
    let mut iso = Vec::new();
    FolderImage::from_dir(&src.join("A"), &settings())
        .unwrap()
        .stream()
        .read_to_end(&mut iso)
        .unwrap();
    // discburn itself refuses to write it there (issue 10) ...
    let refused = run(&rig2, stream(iso.clone())).unwrap_err();
    assert!(
        matches!(refused, BurnError::ImageAddressedElsewhere { .. }),
        "{refused}"
    );
    // ... but another burner may have: write it as that session below the workflow.
    let second = common::raw_session(&rig2.rec, iso);
    let before = fs::read(src.join("d.img")).unwrap().len();
    let e = burn_folder(&rig2, &src.join("A"), Closing::Session).unwrap_err();
    assert!(
        e.to_string().contains("addressed for sector 0"),
        "{e} (second session at {second})"
    );
    assert_eq!(
        fs::read(src.join("d.img")).unwrap().len(),
        before,
        "nothing written"
    );
}

/// The burn's events, and what it returned.
fn burn_folder_with(
    rig: &Rig,
    root: &Path,
    closing: Closing,
    cancel: &CancelToken,
    on_phase: &mut dyn FnMut(BurnPhase),
) -> (Result<burn::BurnReport, BurnError>, Vec<Note>) {
    let img = FolderImage::from_dir(root, &settings()).unwrap();
    let mut notes = Vec::new();
    let r = burn::burn(
        &rig.rec,
        Source::Folder(Box::new(img)),
        &opts(closing),
        cancel,
        &mut |e| match e {
            BurnEvent::Phase { phase, .. } => on_phase(*phase),
            BurnEvent::Note(n) => notes.push(n.clone()),
            _ => {}
        },
    );
    (r, notes)
}

/// [`burn_folder`], and the notes the burn gave.
fn burn_folder_noting(
    rig: &Rig,
    root: &Path,
    closing: Closing,
) -> (Result<burn::BurnReport, BurnError>, Vec<Note>) {
    burn_folder_with(rig, root, closing, &CancelToken::new(), &mut |_| {})
}

/// The phases a burn went through, in order.
fn phase_list(report: &burn::BurnReport) -> Vec<BurnPhase> {
    report.phases.iter().map(|(p, _)| *p).collect()
}

#[test]
fn a_multi_session_folder_burn_grows_the_volume_on_rewritable_media() {
    for media in ["dvd+rw", "bd-re", "dvd-ram"] {
        let rig = rig(media);
        let src = rig.dir.path();
        let (a, b) = folders_a_b(src);
        let c = folder(
            &src.join("C"),
            &[
                ("c/c.txt", b"from C".to_vec()),
                ("a.txt", b"C replaces A's".to_vec()),
            ],
        );

        // A on the blank medium: the workflow formats it, the volume is at 0.
        let first = burn_folder(&rig, &src.join("A"), Closing::Session)
            .unwrap_or_else(|e| panic!("{media} A: {e}"));
        assert_eq!(first.start_lba, 0, "{media}");
        check_disc(&rig, 0, &a, media);

        // B grows it: data after A's volume (16-sector aligned), then sector 16.
        let (second, notes) = burn_folder_noting(&rig, &src.join("B"), Closing::Session);
        let second = second.unwrap_or_else(|e| panic!("{media} B: {e}"));
        assert!(
            second.start_lba >= first.sectors as u32 && second.start_lba % 16 == 0,
            "{media}: B at {} after A's {} sectors",
            second.start_lba,
            first.sectors
        );
        assert!(
            second.start_lba < first.sectors as u32 + 16,
            "{media}: B follows A's end, rounded to 16"
        );
        assert!(second.verify.as_ref().is_some_and(|v| v.is_ok()));
        let phases = phase_list(&second);
        let at = |p| phases.iter().position(|&q| q == p).unwrap();
        assert!(
            at(BurnPhase::WritingData) < at(BurnPhase::Synchronizing)
                && at(BurnPhase::Synchronizing) < at(BurnPhase::UpdatingVolume),
            "{media}: the descriptors go last: {phases:?}"
        );
        assert!(
            notes.iter().any(|n| matches!(
                n,
                Note::VolumeGrown {
                    kept: 2,
                    replaced: 1,
                    ..
                }
            )),
            "{media}: {notes:?}"
        );
        let mut want = a.clone();
        want.extend(b.clone());
        // Read from sector 0, as any reader of a DVD+RW does.
        check_disc(&rig, 0, &want, media);
        assert!(
            extent_lba(&rig, 0, "/dir/keep.bin") < u64::from(second.start_lba),
            "{media}: A's file stays where A put it"
        );
        assert!(
            extent_lba(&rig, 0, "/shared/same.txt") >= u64::from(second.start_lba),
            "{media}: B's replacement is in B's session"
        );
        // Only B's data and tree were written, not A's files again.
        assert!(second.sectors < 200, "{media}: {} sectors", second.sectors);

        let third = burn_folder(&rig, &src.join("C"), Closing::Session)
            .unwrap_or_else(|e| panic!("{media} C: {e}"));
        assert!(third.start_lba > second.start_lba, "{media}");
        want.extend(c.clone());
        check_disc(&rig, 0, &want, media);

        // Without multi-session the volume is replaced from sector 0.
        let (fourth, notes) = burn_folder_noting(&rig, &src.join("B"), Closing::Disc);
        let fourth = fourth.unwrap_or_else(|e| panic!("{media} B again: {e}"));
        assert_eq!(fourth.start_lba, 0, "{media}");
        assert!(
            notes
                .iter()
                .any(|n| matches!(n, Note::VolumeReplaced { .. })),
            "{media}: {notes:?}"
        );
        check_disc(&rig, 0, &b, media);
    }
}

#[test]
fn a_grow_stopped_before_the_descriptor_rewrite_leaves_the_old_volume_whole() {
    for media in ["dvd+rw", "bd-re"] {
        let rig = rig(media);
        let src = rig.dir.path();
        let a = folder(
            &src.join("A"),
            &[("a.txt", b"from A".to_vec()), ("same.txt", b"A".to_vec())],
        );
        let b = folder(
            &src.join("B"),
            &[("b.bin", pattern(50_000, 4)), ("same.txt", b"B".to_vec())],
        );
        burn_folder(&rig, &src.join("A"), Closing::Session).unwrap();
        let image = rig.dir.path().join("d.img");
        let old_descriptors = fs::read(&image).unwrap()[16 * 2048..20 * 2048].to_vec();

        // The drive fails every WRITE to the descriptor area once the
        // session's data is written and flushed.
        let control = rig.control.clone();
        let (r, _) = burn_folder_with(
            &rig,
            &src.join("B"),
            Closing::Session,
            &CancelToken::new(),
            &mut |phase| {
                if phase == BurnPhase::UpdatingVolume {
                    control.inject(Fault::MediumError(16..=31));
                }
            },
        );
        let e = r.unwrap_err();
        assert!(
            matches!(e, BurnError::Device { .. }) && e.to_string().contains("sector 16"),
            "{media}: {e}"
        );
        rig.control.clear_faults();
        let disc = fs::read(&image).unwrap();
        assert_eq!(
            disc[16 * 2048..20 * 2048],
            old_descriptors[..],
            "{media}: the descriptors are untouched"
        );
        assert!(
            disc.len() > 40 * 2048,
            "{media}: B's session was written after A's volume"
        );
        check_disc(&rig, 0, &a, media);

        // A cancel once the data is flushed, as the descriptors are due: the same.
        let cancel = CancelToken::new();
        let token = cancel.clone();
        let (r, _) = burn_folder_with(
            &rig,
            &src.join("B"),
            Closing::Session,
            &cancel,
            &mut |phase| {
                if phase == BurnPhase::UpdatingVolume {
                    token.cancel();
                }
            },
        );
        assert!(
            matches!(r, Err(BurnError::Cancelled { .. })),
            "{media}: {r:?}"
        );
        check_disc(&rig, 0, &a, media);

        // Burnt again without trouble, the volume grows.
        burn_folder(&rig, &src.join("B"), Closing::Session)
            .unwrap_or_else(|e| panic!("{media} B: {e}"));
        let mut want = a.clone();
        want.extend(b);
        check_disc(&rig, 0, &want, media);
    }
}

#[test]
fn an_image_cannot_be_merged_into_a_rewritable_volume() {
    let rig = rig("dvd+rw");
    let src = rig.dir.path();
    let a = folder(&src.join("A"), &[("a.txt", b"a".to_vec())]);
    burn_folder(&rig, &src.join("A"), Closing::Session).unwrap();
    let before = fs::read(src.join("d.img")).unwrap();
    let raw = pattern(64 * 2048, 9);
    let e = burn::burn(
        &rig.rec,
        Source::Stream {
            sectors: 64,
            reader: Box::new(Cursor::new(raw)),
            label: "raw".into(),
        },
        &opts(Closing::Session),
        &CancelToken::new(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(e, BurnError::Unsuitable(Unsuitable::CannotMerge { .. }))
            && e.to_string().contains("cannot be merged"),
        "{e}"
    );
    assert_eq!(
        fs::read(src.join("d.img")).unwrap(),
        before,
        "nothing written"
    );
    check_disc(&rig, 0, &a, "dvd+rw");
}
