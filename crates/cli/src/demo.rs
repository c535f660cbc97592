//! `discburn demo`: the whole pipeline on a fresh machine, no drive needed —
//! a virtual BD-R, a sample folder mastered as ISO 9660 + Joliet + Rock Ridge
//! while it streams, a real-time burn at a realistic speed with the progress
//! display, a verify pass, and a summary.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use discburn::burn::{self, BurnOptions, Closing, Source, SpeedChoice};
use discburn::iso::{FolderImage, IsoSettings};
use discburn::mmc::clock::SystemClock;
use discburn::vdrive::VirtualDrive;
use discburn::Recorder;
use serde_json::json;

use crate::cli::{DemoArgs, Global, SpeedArg};
use crate::commands::{cancel_on_ctrl_c, summary};
use crate::exit::{self, burn_failure, Failure};
use crate::progress::{Mode, Progress};

/// Fills `path` with `len` pseudo-random bytes (xorshift; incompressible
/// enough to look like real data, cheap to make).
fn random_file(path: &Path, len: u64, seed: u64) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, fs::File::create(path)?);
    let mut x = seed | 1;
    let mut block = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        for chunk in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        f.write_all(&block[..n])?;
        left -= n as u64;
    }
    f.flush()
}

/// The sample folder: a README, nested folders with long and non-ASCII
/// names, an empty file, and data files adding up to `mib` MiB.
fn sample_folder(root: &Path, mib: u64) -> std::io::Result<()> {
    fs::create_dir_all(root.join("photos/2024 — summer trip"))?;
    fs::create_dir_all(root.join("documents/reports/quarterly"))?;
    fs::write(
        root.join("README.txt"),
        "Burned by `discburn demo`: ISO 9660 + Joliet + Rock Ridge, built while writing.\n",
    )?;
    fs::write(root.join("documents/empty.txt"), b"")?;
    fs::write(
        root.join("documents/reports/quarterly/Résumé des résultats — long file name to show Rock Ridge and Joliet.txt"),
        "Q1..Q4\n".repeat(500),
    )?;
    let total = mib << 20;
    let files = 8u64;
    for i in 0..files {
        let dir = if i % 2 == 0 {
            "photos/2024 — summer trip"
        } else {
            "documents"
        };
        let len = total / files - (i * 4099) % 65_536;
        random_file(
            &root.join(dir).join(format!("data-{i:02}.bin")),
            len,
            0x9E37_79B9_7F4A_7C15 ^ i,
        )?;
    }
    Ok(())
}

/// Runs the demo.
pub fn run(g: &Global, a: &DemoArgs) -> Result<(), Failure> {
    let x = match a.speed.parse::<SpeedArg>() {
        Ok(SpeedArg::Times(x)) => x,
        _ => {
            return Err(Failure::new(
                exit::USAGE,
                format!("--speed {}: give a BD multiple such as 6x", a.speed),
            ))
        }
    };
    let io =
        |what: &str, e: std::io::Error| Failure::new(exit::INTERNAL, format!("demo: {what}: {e}"));
    let temp = tempfile::Builder::new()
        .prefix("discburn-demo-")
        .tempdir()
        .map_err(|e| io("cannot make a temporary folder", e))?;
    let disc_dir: PathBuf = match &a.disc {
        Some(d) => {
            fs::create_dir_all(d).map_err(|e| io("cannot create the --disc folder", e))?;
            d.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let image = disc_dir.join("demo-bd-r.img");
    // A fresh blank disc every run.
    for p in [image.clone(), image.with_extension("img.state")] {
        if p.exists() {
            fs::remove_file(&p).map_err(|e| io("cannot replace the previous demo disc", e))?;
        }
    }
    let address = format!(
        "virtual:{}?media=bd-r&speed={x}x&buffer=4MiB",
        image.display()
    );
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let folder = temp.path().join("sample");
    let intro = format!(
        "discburn demo: a virtual BD-R at {x}x ({address}), a {} MiB sample folder mastered on the fly, burned in real time, then verified.",
        a.size
    );
    progress.json(json!({"event": "note", "text": intro}));
    progress.say(&intro);
    sample_folder(&folder, a.size).map_err(|e| io("cannot write the sample folder", e))?;
    let img = FolderImage::from_dir(
        &folder,
        &IsoSettings {
            volume_id: Some("DISCBURN_DEMO".into()),
            ..Default::default()
        },
    )
    .map_err(|e| burn_failure(&e.into()))?;
    // The demo opens the virtual recorder itself to keep its control handle: the drive
    // model counts real underruns, which the summary reports.
    let clock = SystemClock::shared();
    let drive = VirtualDrive::open(&address, Arc::clone(&clock)).map_err(|e| {
        exit::open_failure(
            &address,
            &discburn::Error::new(discburn::ErrorKind::InvalidArgument(e.to_string())),
        )
    })?;
    let control = drive.control();
    let rec = Arc::new(Recorder::new(Box::new(drive), address.as_str(), clock));
    let opts = BurnOptions::default()
        .with_speed(SpeedChoice::Times(x))
        .with_verify(true)
        .with_closing(Closing::Disc);
    let cancel = cancel_on_ctrl_c();
    let result = burn::burn(
        &rec,
        Source::Folder(Box::new(img)),
        &opts,
        &cancel,
        &mut |ev| progress.event(ev),
    );
    progress.done();
    let report = result.map_err(|e| burn_failure(&e))?;
    summary(&progress, &report, &folder, Some(control.stats().underruns));
    if progress.mode() != Mode::Json {
        match &a.disc {
            Some(_) => println!(
                "The disc stays in {}: try `discburn info --drive '{address}'`",
                image.display()
            ),
            None => println!(
                "Keep the disc with --disc DIR to look at it with `discburn info` afterwards."
            ),
        }
    }
    Ok(())
}
