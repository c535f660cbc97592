//! A host that talks to the virtual drive purely through CDBs built with the mmc crate.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use discburn_mmc::cdb::Cdb;
use discburn_mmc::clock::{SharedClock, SimClock};
use discburn_mmc::disc::{DiscInformation, ReadDiscInformation};
use discburn_mmc::rw::{Read10, SynchronizeCache10, Write10};
use discburn_mmc::sense::Sense;
use discburn_mmc::track::{
    CloseFunction, CloseTrackSession, ReadTrackInformation, TrackAddress, TrackInformation,
};
use discburn_mmc::{Command, Completion, DataPhase, Request, Transport, TransportError};
use discburn_vdrive::{VirtualDrive, VirtualDriveConfig};

pub const T: Duration = Duration::from_secs(3600);

pub struct Host {
    pub drive: Option<VirtualDrive>,
    pub sim: Arc<SimClock>,
    pub clock: SharedClock,
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub query: String,
}

pub fn sense_of(c: &Completion) -> (u8, u8, u8) {
    if c.is_good() {
        return (0, 0, 0);
    }
    let s = Sense::parse(&c.sense).expect("sense parses");
    (u8::from(s.key), s.asc, s.ascq)
}

impl Host {
    pub fn new(query: &str) -> Host {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disc.img");
        let (sim, clock) = SimClock::shared();
        let mut h = Host {
            drive: None,
            sim,
            clock,
            dir,
            path,
            query: query.to_string(),
        };
        h.open();
        h
    }

    /// A drive opened with `query` over `name`, a foreign image holding `data` with no
    /// state file beside it (an ISO image from elsewhere).
    pub fn foreign(query: &str, name: &str, data: &[u8]) -> Host {
        let mut h = Host::new(query);
        h.drive = None;
        h.path = h.dir.path().join(name);
        std::fs::write(&h.path, data).unwrap();
        h.open();
        h
    }

    pub fn address(&self) -> String {
        format!("virtual:{}?{}", self.path.display(), self.query)
    }

    pub fn open(&mut self) {
        self.drive = None;
        self.drive = Some(VirtualDrive::open(&self.address(), self.clock.clone()).unwrap());
    }

    pub fn open_config(&mut self, cfg: VirtualDriveConfig) {
        self.drive = None;
        self.drive = Some(cfg.open(self.clock.clone()).unwrap());
    }

    pub fn d(&mut self) -> &mut VirtualDrive {
        self.drive.as_mut().unwrap()
    }

    pub fn try_run(
        &mut self,
        cdb: &Cdb,
        data: DataPhase<'_>,
    ) -> Result<Completion, TransportError> {
        self.d().execute(Request {
            cdb: cdb.as_bytes(),
            data,
            timeout: T,
        })
    }

    pub fn run(&mut self, cdb: &Cdb, data: DataPhase<'_>) -> Completion {
        self.try_run(cdb, data).unwrap()
    }

    pub fn raw(&mut self, cdb: &[u8], data: DataPhase<'_>) -> Completion {
        self.d()
            .execute(Request {
                cdb,
                data,
                timeout: T,
            })
            .unwrap()
    }

    pub fn none(&mut self, cdb: &Cdb) -> (u8, u8, u8) {
        let c = self.run(cdb, DataPhase::None);
        sense_of(&c)
    }

    pub fn data_in(&mut self, cdb: &Cdb, len: usize) -> Result<Vec<u8>, (u8, u8, u8)> {
        let mut buf = vec![0u8; len];
        let c = self.run(cdb, DataPhase::In(&mut buf));
        if c.is_good() {
            buf.truncate(c.transferred);
            Ok(buf)
        } else {
            Err(sense_of(&c))
        }
    }

    pub fn data_out(&mut self, cdb: &Cdb, data: &[u8]) -> (u8, u8, u8) {
        let c = self.run(cdb, DataPhase::Out(data));
        sense_of(&c)
    }

    pub fn write(&mut self, lba: u32, blocks: u16, fill: u8) -> (u8, u8, u8) {
        let data = pattern(lba, blocks as u32, fill);
        self.write_bytes(lba as i32, blocks as u32, &data)
    }

    /// WRITE(10) of `blocks` at `lba` (negative in the lead-in and first pre-gap)
    /// carrying `data`, whatever the block size.
    pub fn write_bytes(&mut self, lba: i32, blocks: u32, data: &[u8]) -> (u8, u8, u8) {
        let cdb = Write10 {
            lba: lba as u32,
            blocks: blocks as u16,
            dpo: false,
            fua: false,
        }
        .emit();
        self.data_out(&cdb, data)
    }

    /// `count` WRITE(10)s of `blocks` each, one after the other from LBA 0 (fill 0):
    /// every one GOOD.
    pub fn write_from_0(&mut self, count: u32, blocks: u16) {
        for i in 0..count {
            let lba = i * u32::from(blocks);
            assert_eq!(self.write(lba, blocks, 0), (0, 0, 0), "WRITE at {lba}");
        }
    }

    pub fn read(&mut self, lba: u32, blocks: u16) -> Result<Vec<u8>, (u8, u8, u8)> {
        let cdb = Read10 {
            lba,
            blocks,
            dpo: false,
            fua: false,
        }
        .emit();
        self.data_in(&cdb, blocks as usize * 2048)
    }

    pub fn sync(&mut self) -> (u8, u8, u8) {
        self.none(
            &SynchronizeCache10 {
                immed: false,
                lba: 0,
                blocks: 0,
            }
            .emit(),
        )
    }

    pub fn close(&mut self, function: CloseFunction, number: u16) -> (u8, u8, u8) {
        self.none(
            &CloseTrackSession {
                immed: false,
                function,
                number,
            }
            .emit(),
        )
    }

    pub fn disc_info(&mut self) -> DiscInformation {
        let cdb = ReadDiscInformation::standard().emit();
        let b = self.data_in(&cdb, 34).expect("disc info");
        DiscInformation::parse(&b).unwrap()
    }

    pub fn track_info(&mut self, address: TrackAddress) -> Result<TrackInformation, (u8, u8, u8)> {
        let cdb = ReadTrackInformation {
            open: false,
            address,
            alloc: 48,
        }
        .emit();
        self.data_in(&cdb, 48)
            .map(|b| TrackInformation::parse(&b).unwrap())
    }

    /// Page 05h with multi-session 11b (next session allowed): closing a CD or DVD-R
    /// session leaves the disc appendable.
    pub fn allow_next_session(&mut self) {
        use discburn_mmc::mode::{
            find_page, mode_select_list, ModeSelect10, ModeSense10, MultiSession,
            WriteParametersPage,
        };
        let b = self
            .data_in(&ModeSense10::current(0x05, 256).emit(), 256)
            .unwrap();
        let mut wp: WriteParametersPage = find_page(&b).unwrap();
        wp.multi_session = MultiSession::NextSessionAllowed;
        let mut list = vec![0u8; 80];
        let n = mode_select_list(&wp, &mut list).unwrap();
        assert_eq!(
            self.data_out(&ModeSelect10::new(n as u16).emit(), &list[..n]),
            (0, 0, 0)
        );
    }

    pub fn nwa(&mut self) -> u32 {
        self.track_info(TrackAddress::INVISIBLE)
            .unwrap()
            .nwa
            .unwrap()
    }
}

pub trait ExecuteTimeout {
    fn execute_timeout(
        &mut self,
        cdb: &Cdb,
        timeout: Duration,
    ) -> Result<Completion, TransportError>;
}

impl ExecuteTimeout for VirtualDrive {
    fn execute_timeout(
        &mut self,
        cdb: &Cdb,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.execute(Request {
            cdb: cdb.as_bytes(),
            data: DataPhase::None,
            timeout,
        })
    }
}

/// Distinct bytes per sector, so misplaced data shows.
pub fn pattern(lba: u32, blocks: u32, fill: u8) -> Vec<u8> {
    let mut v = vec![fill; blocks as usize * 2048];
    for (i, s) in v.chunks_mut(2048).enumerate() {
        s[..4].copy_from_slice(&(lba + i as u32).to_be_bytes());
    }
    v
}

/// MODE SENSE page 05h, set write type, multi-session, data block type and track mode,
/// MODE SELECT it back; the status of the MODE SELECT.
pub fn set_page_05(
    h: &mut Host,
    wt: discburn_mmc::mode::WriteType,
    multi: discburn_mmc::mode::MultiSession,
    block_type: discburn_mmc::mode::DataBlockType,
    track_mode: u8,
) -> (u8, u8, u8) {
    use discburn_mmc::mode::{find_page, mode_select_list, ModeSelect10, ModeSense10};
    let b = h
        .data_in(&ModeSense10::current(0x05, 256).emit(), 256)
        .unwrap();
    let mut p: discburn_mmc::mode::WriteParametersPage = find_page(&b).unwrap();
    p.ps = false;
    p.write_type = wt;
    p.multi_session = multi;
    p.data_block_type = block_type;
    p.track_mode = track_mode;
    let mut list = vec![0u8; 8 + 64];
    let n = mode_select_list(&p, &mut list).unwrap();
    h.data_out(&ModeSelect10::new(n as u16).emit(), &list[..n])
}

/// READ DISC STRUCTURE `format` of layer 0 for `media_type`, up to 4100 bytes.
pub fn structure(
    h: &mut Host,
    media_type: discburn_mmc::disc::DiscStructureMedia,
    format: u8,
) -> Result<Vec<u8>, (u8, u8, u8)> {
    let c = discburn_mmc::disc::ReadDiscStructure {
        media_type,
        address: 0,
        layer: 0,
        format,
        alloc: 4100,
        agid: 0,
    };
    h.data_in(&c.emit(), 4100)
}
