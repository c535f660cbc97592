//! Shared rig: a virtual recorder on a simulated clock, with its control handle.
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use discburn::burn::{self, BurnError, BurnEvent, BurnOptions, BurnReport, Source};
use discburn::mmc::clock::{SharedClock, SimClock};
use discburn::mmc::rw::Read10;
use discburn::mmc::sense::SenseClass;
use discburn::mmc::transport::{Completion, DataPhase, Limits, Request, Transport, TransportError};
use discburn::{CancelToken, Recorder, WriteEngine};
use discburn_vdrive::control::DriveControl;
use discburn_vdrive::media::Media;
use discburn_vdrive::{VirtualDrive, VirtualDriveConfig};
use hadris_fs::sync::Volume;
use hadris_fs::{MountOptions, OpenOptions};
use hadris_iso::sync::IsoFs;
use hadris_iso::Namespace;
use hadris_storage::{BlockSize, MemDevice};

pub struct Rig {
    pub dir: tempfile::TempDir,
    pub sim: Arc<SimClock>,
    pub clock: SharedClock,
    pub recorder: Arc<Recorder>,
    pub control: DriveControl,
}

/// A drive with `media` on a fresh image, configured by `f`, with a 64 KiB transfer
/// limit (a typical SG_IO adapter) unless `f` changes it.
pub fn rig(media: Media, f: impl FnOnce(VirtualDriveConfig) -> VirtualDriveConfig) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc.img");
    let (sim, clock) = SimClock::shared();
    let mut cfg = VirtualDriveConfig::new(&path, media);
    cfg.max_transfer = 64 * 1024;
    let cfg = f(cfg);
    let drive = cfg.open(Arc::clone(&clock)).unwrap();
    let control = drive.control();
    let recorder = Arc::new(Recorder::new(
        Box::new(drive),
        format!("virtual:{}", path.display()),
        Arc::clone(&clock),
    ));
    Rig {
        dir,
        sim,
        clock,
        recorder,
        control,
    }
}

impl Rig {
    pub fn engine(&self) -> WriteEngine {
        WriteEngine::with_recorder(Arc::clone(&self.recorder), 2048).unwrap()
    }

    pub fn count(&self, op: u8) -> u64 {
        self.control
            .stats()
            .per_opcode
            .get(&op)
            .copied()
            .unwrap_or(0)
    }

    /// Polls TEST UNIT READY (every 10 simulated ms) until the drive is ready again,
    /// e.g. after an Immed SYNCHRONIZE CACHE.
    pub fn wait_ready(&self) {
        for _ in 0..100_000 {
            match self.recorder.test_unit_ready() {
                Ok(()) => return,
                Err(e) if e.sense_class().is_some_and(SenseClass::is_retryable_wait) => {
                    self.clock.sleep(Duration::from_millis(10))
                }
                Err(e) => panic!("{e}"),
            }
        }
        panic!("drive never became ready");
    }

    /// Reads `count` sectors from `lba` back through READ(10).
    pub fn read_back(&self, lba: u32, count: u32) -> Vec<u8> {
        let mut out = vec![0u8; count as usize * 2048];
        for (i, chunk) in out.chunks_mut(32 * 2048).enumerate() {
            let n = (chunk.len() / 2048) as u16;
            let cmd = Read10 {
                lba: lba + i as u32 * 32,
                blocks: n,
                ..Read10::default()
            };
            let got = self
                .recorder
                .command(&cmd, DataPhase::In(chunk), Duration::from_secs(10))
                .unwrap();
            assert_eq!(got, chunk.len());
        }
        out
    }
}

/// Sector contents that differ per LBA and per byte.
pub fn pattern(start: u32, count: u32) -> Vec<u8> {
    let mut v = vec![0u8; count as usize * 2048];
    for (s, sector) in v.chunks_mut(2048).enumerate() {
        let lba = start + s as u32;
        for (i, b) in sector.iter_mut().enumerate() {
            *b = (lba.wrapping_mul(31) as usize ^ i.wrapping_mul(7)) as u8;
        }
    }
    v
}

/// Writes `data` as a new session at the next writable address with the write engine
/// and CLOSE TRACK/SESSION, as a burner that does not look at the data would; its start.
pub fn raw_session(rec: &Arc<Recorder>, data: Vec<u8>) -> u32 {
    use discburn::mmc::rw::SynchronizeCache10;
    use discburn::mmc::track::{CloseFunction, CloseTrackSession, TrackAddress};
    let nwa = discburn::burn::inspect(rec).unwrap().next_writable.unwrap();
    let sectors = (data.len() / 2048) as i32;
    let engine = discburn::WriteEngine::with_recorder(Arc::clone(rec), 2048).unwrap();
    engine
        .write_section(std::io::Cursor::new(data), nwa as i32, sectors)
        .unwrap();
    let sync = SynchronizeCache10 {
        immed: false,
        lba: 0,
        blocks: 0,
    };
    rec.command_none(&sync).unwrap();
    let track = rec.track_information(TrackAddress::Lba(nwa)).unwrap().track;
    for (function, number) in [
        (CloseFunction::CloseTrack, track),
        (CloseFunction::CloseSession, 0),
    ] {
        let close = CloseTrackSession {
            immed: false,
            function,
            number,
        };
        rec.command_none(&close).unwrap();
    }
    nwa
}

/// `sectors` sectors that differ per sector and per byte, from `seed`.
pub fn data(sectors: usize, seed: u8) -> Vec<u8> {
    (0..sectors * 2048)
        .map(|i| {
            (i as u8)
                .wrapping_mul(13)
                .wrapping_add(seed)
                .wrapping_add((i / 2048) as u8)
        })
        .collect()
}

/// `bytes` as a stream source of whole sectors.
pub fn stream(bytes: Vec<u8>) -> discburn::burn::Source {
    let sectors = (bytes.len() / 2048) as u64;
    discburn::burn::Source::Stream {
        reader: Box::new(std::io::Cursor::new(bytes)),
        sectors,
        label: "test data".into(),
    }
}

/// An ISO 9660 volume read from bytes in memory.
pub type IsoVolume = Volume<IsoFs<MemDevice<Vec<u8>>>>;

/// `disc` (a volume at block 0) mounted with its `ns` tree.
pub fn mount(disc: &[u8], ns: Namespace) -> IsoVolume {
    let dev = MemDevice::new(disc.to_vec(), BlockSize::new(2048).unwrap());
    Volume::new(IsoFs::mount_namespace(dev, MountOptions::new(), ns).unwrap())
}

/// The whole of the file at `path` in `vol`.
pub fn read_file(vol: &IsoVolume, path: &str) -> Vec<u8> {
    let mut out = Vec::new();
    vol.open(path, OpenOptions::new().read())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Runs [`discburn::burn::burn`] of `source` on `rec` (never cancelled): what it returned
/// and every event it sent, in order.
pub fn burn_collecting(
    rec: &Arc<Recorder>,
    source: Source,
    opts: &BurnOptions,
) -> (Result<BurnReport, BurnError>, Vec<BurnEvent>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let r = burn::burn(rec, source, opts, &CancelToken::new(), &mut |e| {
        sink.lock().unwrap().push(e.clone())
    });
    let ev = events.lock().unwrap().clone();
    (r, ev)
}

/// A source that delivers its first `open_sectors` sectors of `data` at once, then holds
/// back (polling every millisecond) until `token` is cancelled: a cancel is sure to
/// land while the write is still running.
pub struct Gate {
    data: Vec<u8>,
    at: usize,
    open_sectors: usize,
    token: CancelToken,
}

impl Gate {
    pub fn new(data: Vec<u8>, open_sectors: usize, token: CancelToken) -> Gate {
        Gate {
            data,
            at: 0,
            open_sectors,
            token,
        }
    }
}

impl Read for Gate {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.open_sectors * 2048 && !self.token.is_cancelled() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let n = buf.len().min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// What a [`Hooked`] drive's hook does with a request: answer it instead of the drive,
/// or `None` to pass it on.
pub type Answer = Option<Result<Completion, TransportError>>;

/// A virtual drive behind a hook that may answer a request first: a failure the drive
/// model has no switch for. Everything else goes to the drive.
pub struct Hooked<F> {
    pub inner: VirtualDrive,
    pub hook: F,
}

impl<F: FnMut(&Request<'_>) -> Answer + Send> Transport for Hooked<F> {
    fn execute(&mut self, request: Request<'_>) -> Result<Completion, TransportError> {
        match (self.hook)(&request) {
            Some(answer) => answer,
            None => self.inner.execute(request),
        }
    }

    fn limits(&self) -> Limits {
        self.inner.limits()
    }
}

/// A recorder over a virtual drive at `dir/d.img` opened with `query` (`media=…&…`) on a
/// simulated clock, every request offered to `hook` first (see [`Hooked`]); and the
/// drive's control handle.
pub fn hooked_recorder<F>(dir: &Path, query: &str, hook: F) -> (Arc<Recorder>, DriveControl)
where
    F: FnMut(&Request<'_>) -> Answer + Send + 'static,
{
    let addr = format!("virtual:{}?{query}", dir.join("d.img").display());
    let (_sim, clock) = SimClock::shared();
    let inner = VirtualDrive::open(&addr, Arc::clone(&clock)).unwrap();
    let control = inner.control();
    let transport = Hooked { inner, hook };
    let rec = Arc::new(Recorder::new(Box::new(transport), addr, clock));
    (rec, control)
}

/// `bytes` of CD-DA samples that differ per byte and per `seed`.
pub fn pcm(bytes: usize, seed: u8) -> Vec<u8> {
    (0..bytes)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[2] ^ seed)
        .collect()
}

/// Reads `sectors` CD-DA sectors from `lba` back with READ CD, 20 at a time.
pub fn read_audio(rec: &Recorder, lba: u32, sectors: u32) -> Vec<u8> {
    const SECTOR: usize = 2352;
    let mut out = vec![0u8; sectors as usize * SECTOR];
    for (i, chunk) in out.chunks_mut(20 * SECTOR).enumerate() {
        let n = (chunk.len() / SECTOR) as u32;
        rec.read_audio(lba + i as u32 * 20, n, chunk).unwrap();
    }
    out
}
