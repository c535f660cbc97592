//! The engine core against a small scripted transport: exact commands, timeouts and waits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use discburn::mmc::clock::{SharedClock, SimClock};
use discburn::mmc::transport::{Completion, DataPhase, Limits, Request, Transport, TransportError};
use discburn::{Recorder, WriteEngine};

#[derive(Debug, Clone, PartialEq)]
struct Sent {
    op: u8,
    lba: u32,
    blocks: u32,
    timeout: Duration,
    at: Duration,
}

/// Accepts WRITEs (answering LONG WRITE IN PROGRESS to every `busy_every`-th attempt),
/// refuses every other command as unsupported (5/20/00).
struct Scripted {
    clock: SharedClock,
    log: Arc<Mutex<Vec<Sent>>>,
    busy_every: usize,
    n: usize,
}

fn sense(key: u8, asc: u8, ascq: u8) -> Vec<u8> {
    let mut s = vec![0u8; 18];
    s[0] = 0x70;
    s[2] = key;
    s[7] = 10;
    s[12] = asc;
    s[13] = ascq;
    s
}

impl Transport for Scripted {
    fn execute(&mut self, r: Request<'_>) -> Result<Completion, TransportError> {
        let op = r.cdb[0];
        let (lba, blocks) = match op {
            0x2A => (
                u32::from_be_bytes([r.cdb[2], r.cdb[3], r.cdb[4], r.cdb[5]]),
                u32::from(u16::from_be_bytes([r.cdb[7], r.cdb[8]])),
            ),
            _ => (0, 0),
        };
        self.log.lock().unwrap().push(Sent {
            op,
            lba,
            blocks,
            timeout: r.timeout,
            at: self.clock.now(),
        });
        if op != 0x2A {
            return Ok(Completion::check_condition(sense(5, 0x20, 0), 0));
        }
        self.n += 1;
        if self.busy_every > 0 && self.n % self.busy_every == 0 {
            return Ok(Completion::check_condition(sense(2, 4, 8), 0));
        }
        let DataPhase::Out(d) = r.data else {
            panic!("WRITE without data")
        };
        assert_eq!(d.len(), blocks as usize * 2048);
        Ok(Completion::good(d.len()))
    }
    fn limits(&self) -> Limits {
        Limits {
            max_transfer: 64 * 1024,
            alignment: 4096,
            max_in_flight: 1,
        }
    }
}

fn engine(busy_every: usize) -> (WriteEngine, Arc<Mutex<Vec<Sent>>>, Arc<SimClock>) {
    let (sim, clock) = SimClock::shared();
    let log = Arc::new(Mutex::new(Vec::new()));
    let t = Scripted {
        clock: Arc::clone(&clock),
        log: Arc::clone(&log),
        busy_every,
        n: 0,
    };
    let rec = Arc::new(Recorder::new(Box::new(t), "scripted:1", clock));
    (WriteEngine::with_recorder(rec, 2048).unwrap(), log, sim)
}

#[test]
fn writes_are_contiguous_transfer_sized_and_exact() {
    let (e, log, _) = engine(0);
    e.write_section(&vec![7u8; 100 * 2048][..], -150, 100)
        .unwrap();
    let writes: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.op == 0x2A)
        .cloned()
        .collect();
    // 32 + 32 + 32 + 4 sectors from LBA −150 (two's complement on the wire).
    let shape: Vec<(i32, u32)> = writes.iter().map(|w| (w.lba as i32, w.blocks)).collect();
    assert_eq!(shape, vec![(-150, 32), (-118, 32), (-86, 32), (-54, 4)]);
}

#[test]
fn explicit_speed_sets_timeout_and_drain_wait() {
    let (e, log, _) = engine(4);
    e.set_starting_sectors_per_second(1000).unwrap();
    e.set_ending_sectors_per_second(1000).unwrap();
    e.write_section(&vec![1u8; 320 * 2048][..], 0, 320).unwrap();
    let log = log.lock().unwrap();
    let writes: Vec<_> = log.iter().filter(|s| s.op == 0x2A).collect();
    // 10 chunks, every 4th attempt busy → 13 attempts.
    assert_eq!(writes.len(), 13);
    let want = Duration::from_secs(10) + Duration::from_secs_f64(4.0 * 32.0 / 1000.0);
    assert!(
        writes.iter().all(|w| w.timeout == want),
        "{:?}",
        writes[0].timeout
    );
    // After each busy answer the retry comes one chunk's drain time later: 32 ms.
    for pair in writes.windows(2) {
        if pair[0].lba == pair[1].lba {
            assert_eq!(pair[1].at - pair[0].at, Duration::from_millis(32));
        }
    }
}

#[test]
fn unknown_rate_backs_off_from_ten_ms() {
    let (e, log, _) = engine(2);
    e.write_section(&vec![1u8; 64 * 2048][..], 0, 64).unwrap();
    let log = log.lock().unwrap();
    // GET CONFIGURATION and GET PERFORMANCE were refused: no profile, no rate.
    assert!(log.iter().any(|s| s.op == 0x46) && log.iter().any(|s| s.op == 0xAC));
    let writes: Vec<_> = log.iter().filter(|s| s.op == 0x2A).collect();
    assert_eq!(writes[1].lba, writes[0].lba + 32);
    assert_eq!(writes[2].lba, writes[1].lba, "retry of the busy WRITE");
    let gap = writes[2].at - writes[1].at;
    assert!(
        gap >= Duration::from_millis(1) && gap <= Duration::from_millis(20),
        "{gap:?}"
    );
    // The unknown-rate timeout assumes 1x CD (75 sectors/s).
    assert_eq!(
        writes[0].timeout,
        Duration::from_secs(10) + Duration::from_secs_f64(4.0 * 32.0 / 75.0)
    );
}
