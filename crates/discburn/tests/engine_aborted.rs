//! ABORTED COMMAND on a WRITE (a transfer or parity error on the way to the drive):
//! the engine sends that WRITE again once from the same LBA, and reports a second
//! abort at the same place with the exact last LBA written.

use std::sync::{Arc, Mutex};

use discburn::mmc::clock::SimClock;
use discburn::mmc::rw::Write10;
use discburn::mmc::sense::{Asc, Sense, SenseKey};
use discburn::mmc::transport::{Completion, DataPhase, Limits, Request, Transport, TransportError};
use discburn::mmc::Command;
use discburn::{Recorder, WriteEngine};

/// Accepts WRITEs into `disc`, answering ABORTED COMMAND / SCSI PARITY ERROR (B/47/00)
/// to the WRITE attempts numbered in `abort` (1-based).
struct Flaky {
    abort: Vec<usize>,
    attempts: usize,
    disc: Arc<Mutex<Vec<u8>>>,
    writes: Arc<Mutex<Vec<(u32, u32)>>>,
}

impl Transport for Flaky {
    fn execute(&mut self, r: Request<'_>) -> Result<Completion, TransportError> {
        if r.cdb[0] != 0x2A {
            // SYNCHRONIZE CACHE and anything else: fine.
            return Ok(Completion::good(0));
        }
        self.attempts += 1;
        let w = Write10::parse(r.cdb).expect("a WRITE(10)");
        let (lba, blocks) = (w.lba, u32::from(w.blocks));
        self.writes.lock().unwrap().push((lba, blocks));
        if self.abort.contains(&self.attempts) {
            let sense = Sense::new(SenseKey::AbortedCommand, 0x47, 0x00).to_fixed_vec();
            return Ok(Completion::check_condition(sense, 0));
        }
        let DataPhase::Out(d) = r.data else {
            panic!("WRITE without data")
        };
        let at = lba as usize * 2048;
        self.disc.lock().unwrap()[at..at + d.len()].copy_from_slice(d);
        Ok(Completion::good(d.len()))
    }
    fn limits(&self) -> Limits {
        Limits {
            max_transfer: 64 * 1024,
            alignment: 1,
            max_in_flight: 1,
        }
    }
}

type Disc = Arc<Mutex<Vec<u8>>>;
type Log = Arc<Mutex<Vec<(u32, u32)>>>;

fn engine(abort: &[usize], sectors: usize) -> (WriteEngine, Disc, Log) {
    let (_, clock) = SimClock::shared();
    let disc = Arc::new(Mutex::new(vec![0u8; sectors * 2048]));
    let writes = Arc::new(Mutex::new(Vec::new()));
    let t = Flaky {
        abort: abort.to_vec(),
        attempts: 0,
        disc: Arc::clone(&disc),
        writes: Arc::clone(&writes),
    };
    let rec = Arc::new(Recorder::new(Box::new(t), "flaky:1", clock));
    (WriteEngine::with_recorder(rec, 2048).unwrap(), disc, writes)
}

fn pattern(sectors: usize) -> Vec<u8> {
    (0..sectors * 2048).map(|i| (i / 2048 + i) as u8).collect()
}

#[test]
fn an_aborted_write_is_sent_again_once() {
    let data = pattern(128);
    let (e, disc, writes) = engine(&[2], 128);
    e.write_section(&data[..], 0, 128).unwrap();
    assert_eq!(*disc.lock().unwrap(), data);
    // Four 32-sector WRITEs, the second sent twice from the same LBA.
    assert_eq!(
        *writes.lock().unwrap(),
        vec![(0, 32), (32, 32), (32, 32), (64, 32), (96, 32)]
    );
}

#[test]
fn a_second_abort_at_the_same_lba_is_reported_with_the_last_lba() {
    let data = pattern(128);
    let (e, disc, writes) = engine(&[3, 4], 128);
    let err = e.write_section(&data[..], 0, 128).unwrap_err();
    assert_eq!(err.last_written_lba(), Some(63), "{err}");
    let s = err.sense_info().expect("sense");
    assert_eq!(
        (s.key(), s.code()),
        (SenseKey::AbortedCommand, Asc::SCSI_PARITY_ERROR)
    );
    assert_eq!(&disc.lock().unwrap()[..64 * 2048], &data[..64 * 2048]);
    assert_eq!(
        *writes.lock().unwrap(),
        vec![(0, 32), (32, 32), (64, 32), (64, 32)]
    );
}

#[test]
fn aborts_at_different_places_each_get_their_retry() {
    let data = pattern(128);
    let (e, disc, _) = engine(&[1, 4], 128);
    e.write_section(&data[..], 0, 128).unwrap();
    assert_eq!(*disc.lock().unwrap(), data);
}
