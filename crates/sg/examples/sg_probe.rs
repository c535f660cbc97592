//! Exercises a real drive through [`SgTransport`], for the guest harness
//! (scripts/guest) and for a first look at a drive on a workstation.
//!
//! ```text
//! sg_probe DEVICE                 # list drives, INQUIRY, TUR, GET CONFIGURATION, READ CAPACITY
//! sg_probe DEVICE --write FILE    # … then WRITE(10) FILE at LBA 0, SYNCHRONIZE CACHE,
//!                                 #     CLOSE TRACK/SESSION, read it back and compare
//! sg_probe DEVICE --expect-busy   # the exclusive open must be refused (disc mounted)
//! ```
//!
//! The CDBs are spelled out by hand here on purpose: this example tests the transport,
//! not the command builders of discburn-mmc (sense data is shown through its decoder).
//!
//! Every step prints one `PROBE: <step> ...` line; the last line is `PROBE-RESULT: OK`
//! or `PROBE-RESULT: FAIL <reason>`, and the exit code follows it.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use discburn_mmc::sense::Sense;
use discburn_mmc::{Completion, Request, ScsiStatus, Transport};
use discburn_sg::{discover, AlignedBuf, SgTransport};

const SECTOR: usize = 2048;
const SHORT: Duration = Duration::from_secs(30);
/// Closing a session on a real DVD±R takes minutes.
const LONG: Duration = Duration::from_secs(600);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let outcome = match args.as_slice() {
        [_, dev] => run(dev, None),
        [_, dev, flag, file] if flag == "--write" => run(dev, Some(file)),
        [_, dev, flag] if flag == "--expect-busy" => expect_busy(dev),
        _ => {
            eprintln!("usage: sg_probe DEVICE [--write FILE | --expect-busy]");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => {
            println!("PROBE-RESULT: OK");
            ExitCode::SUCCESS
        }
        Err(why) => {
            println!("PROBE-RESULT: FAIL {why}");
            ExitCode::FAILURE
        }
    }
}

/// The exclusive open must fail with [`OpenError::Busy`] and a message naming the fix,
/// while a shared open still works.
///
/// [`OpenError::Busy`]: discburn_sg::OpenError::Busy
fn expect_busy(device: &str) -> Result<(), String> {
    match SgTransport::open(device) {
        Err(e @ discburn_sg::OpenError::Busy { .. }) => println!("PROBE: busy-refused {e}"),
        Err(e) => return Err(format!("expected a busy refusal, got: {e}")),
        Ok(_) => return Err("exclusive open of a busy drive was allowed".into()),
    }
    let mut shared = SgTransport::open_shared(device).map_err(|e| format!("shared open: {e}"))?;
    let ready = shared
        .medium_ready()
        .map_err(|e| format!("TEST UNIT READY: {e}"))?;
    println!("PROBE: shared-open ready={ready}");
    Ok(())
}

/// Fails unless the completion is GOOD, showing the sense key/ASC/ASCQ when present.
fn good(step: &str, c: &Completion) -> Result<(), String> {
    if c.status == ScsiStatus::Good {
        return Ok(());
    }
    Err(format!(
        "{step}: status {:?} sense {}",
        c.status,
        sense_text(&c.sense)
    ))
}

/// Key/ASC/ASCQ of the sense data, for display only.
fn sense_text(s: &[u8]) -> String {
    match Sense::parse(s) {
        Ok(s) => format!("{:X}/{:02X}/{:02X}", u8::from(s.key), s.asc, s.ascq),
        Err(e) => format!("unreadable ({e})"),
    }
}

fn run(device: &str, image: Option<&str>) -> Result<(), String> {
    let drives = discover().map_err(|e| format!("discover: {e}"))?;
    for d in &drives {
        // Medium presence comes from the drive (TEST UNIT READY), not from sysfs.
        let ready = match d.open_shared().map(|mut t| t.medium_ready()) {
            Ok(Ok(r)) => r.to_string(),
            Ok(Err(e)) => format!("error({e})"),
            Err(e) => format!("error({e})"),
        };
        println!(
            "PROBE: drive {} sg={} vendor={:?} model={:?} rev={:?} capacity={} ready={ready} max_transfer={} alignment={}",
            d.block_device.display(),
            d.generic_device
                .as_ref()
                .map_or("-".into(), |p| p.display().to_string()),
            d.vendor,
            d.model,
            d.revision,
            d.capacity_bytes,
            d.limits.max_transfer,
            d.limits.alignment
        );
    }
    println!("PROBE: drives {}", drives.len());

    let mut t = SgTransport::open(device).map_err(|e| e.to_string())?;
    let limits = t.limits();
    println!(
        "PROBE: open {} sg_version={} max_transfer={} alignment={}",
        t.path().display(),
        t.sg_version(),
        limits.max_transfer,
        limits.alignment
    );

    // A second exclusive open must be refused while we hold the drive.
    match SgTransport::open(device) {
        Err(discburn_sg::OpenError::Busy { .. }) => {
            println!("PROBE: exclusive refused-second-open")
        }
        Err(e) => return Err(format!("second open: unexpected error {e}")),
        Ok(_) => return Err("second exclusive open was allowed".into()),
    }

    let mut inq = AlignedBuf::for_limits(96, &limits);
    let c = t
        .execute(Request::data_in(&[0x12, 0, 0, 0, 96, 0], &mut inq, SHORT))
        .map_err(|e| format!("INQUIRY: {e}"))?;
    good("INQUIRY", &c)?;
    let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(&inq[r]).trim().to_string();
    println!(
        "PROBE: inquiry pdt={} rmb={} vendor={:?} product={:?} rev={:?} transferred={}",
        inq[0] & 0x1f,
        inq[1] >> 7,
        text(8..16),
        text(16..32),
        text(32..36),
        c.transferred
    );
    if inq[0] & 0x1f != 5 {
        return Err("INQUIRY: not a multimedia device (PDT 5)".into());
    }

    let ready = t
        .medium_ready()
        .map_err(|e| format!("TEST UNIT READY: {e}"))?;
    println!("PROBE: test-unit-ready ready={ready}");

    // GET CONFIGURATION, RT=0 (all features), 8 KiB.
    let mut cfg = AlignedBuf::for_limits(8192, &limits);
    let c = t
        .execute(Request::data_in(
            &[0x46, 0, 0, 0, 0, 0, 0, 0x20, 0x00, 0],
            &mut cfg,
            SHORT,
        ))
        .map_err(|e| format!("GET CONFIGURATION: {e}"))?;
    good("GET CONFIGURATION", &c)?;
    if c.transferred < 8 {
        return Err(format!("GET CONFIGURATION: only {} bytes", c.transferred));
    }
    let profile = u16::from_be_bytes([cfg[6], cfg[7]]);
    let mut features = Vec::new();
    let mut at = 8;
    let end = c
        .transferred
        .min(4 + u32::from_be_bytes([cfg[0], cfg[1], cfg[2], cfg[3]]) as usize);
    while at + 4 <= end {
        let code = u16::from_be_bytes([cfg[at], cfg[at + 1]]);
        features.push(format!("{code:04X}"));
        at += 4 + usize::from(cfg[at + 3]);
    }
    println!(
        "PROBE: get-configuration profile={profile:04X} features={} transferred={}",
        features.join(","),
        c.transferred
    );

    let mut cap = [0u8; 8];
    let c = t
        .execute(Request::data_in(
            &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &mut cap,
            SHORT,
        ))
        .map_err(|e| format!("READ CAPACITY: {e}"))?;
    if c.status == ScsiStatus::Good {
        println!(
            "PROBE: read-capacity last_lba={} block_len={}",
            u32::from_be_bytes([cap[0], cap[1], cap[2], cap[3]]),
            u32::from_be_bytes([cap[4], cap[5], cap[6], cap[7]])
        );
    } else {
        println!(
            "PROBE: read-capacity status={:?} sense={}",
            c.status,
            sense_text(&c.sense)
        );
    }

    let Some(image) = image else {
        return Ok(());
    };
    let data = std::fs::read(image).map_err(|e| format!("{image}: {e}"))?;
    if data.is_empty() || data.len() % SECTOR != 0 {
        return Err(format!(
            "{image}: size {} is not a whole number of 2048-byte sectors",
            data.len()
        ));
    }
    let blocks_per_write = (limits.max_transfer / SECTOR).clamp(1, 32);
    let started = Instant::now();
    let mut buf = AlignedBuf::for_limits(blocks_per_write * SECTOR, &limits);
    let mut writes = 0;
    for (i, chunk) in data.chunks(blocks_per_write * SECTOR).enumerate() {
        let lba = (i * blocks_per_write) as u32;
        let blocks = (chunk.len() / SECTOR) as u16;
        buf[..chunk.len()].copy_from_slice(chunk);
        let mut cdb = [0x2A, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        cdb[2..6].copy_from_slice(&lba.to_be_bytes());
        cdb[7..9].copy_from_slice(&blocks.to_be_bytes());
        let c = t
            .execute(Request::data_out(&cdb, &buf[..chunk.len()], SHORT))
            .map_err(|e| format!("WRITE(10) lba {lba}: {e}"))?;
        good(&format!("WRITE(10) lba {lba}"), &c)?;
        writes += 1;
    }
    println!(
        "PROBE: write10 bytes={} commands={writes} blocks_per_command={blocks_per_write} ms={}",
        data.len(),
        started.elapsed().as_millis()
    );

    let c = t
        .execute(Request::none(&[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], LONG))
        .map_err(|e| format!("SYNCHRONIZE CACHE: {e}"))?;
    good("SYNCHRONIZE CACHE", &c)?;
    println!("PROBE: synchronize-cache ok");

    // CLOSE TRACK/SESSION, close function 010b: close the session.
    let c = t
        .execute(Request::none(&[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0], LONG))
        .map_err(|e| format!("CLOSE TRACK/SESSION: {e}"))?;
    good("CLOSE TRACK/SESSION", &c)?;
    println!("PROBE: close-session ok");

    // Read back through READ(10) and compare, a few sectors per command.
    let mut back = AlignedBuf::for_limits(blocks_per_write * SECTOR, &limits);
    for (i, chunk) in data.chunks(blocks_per_write * SECTOR).enumerate() {
        let lba = (i * blocks_per_write) as u32;
        let blocks = (chunk.len() / SECTOR) as u16;
        let mut cdb = [0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        cdb[2..6].copy_from_slice(&lba.to_be_bytes());
        cdb[7..9].copy_from_slice(&blocks.to_be_bytes());
        let c = t
            .execute(Request::data_in(&cdb, &mut back[..chunk.len()], SHORT))
            .map_err(|e| format!("READ(10) lba {lba}: {e}"))?;
        good(&format!("READ(10) lba {lba}"), &c)?;
        if c.transferred != chunk.len() || back[..chunk.len()] != *chunk {
            return Err(format!("READ(10) lba {lba}: data differs from {image}"));
        }
    }
    println!("PROBE: read-back identical bytes={}", data.len());
    Ok(())
}
