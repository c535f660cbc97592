//! The engine core against a small scripted transport: exact commands, timeouts and waits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use discburn::mmc::clock::{SharedClock, SimClock};
use discburn::mmc::rw::Write10;
use discburn::mmc::sense::SenseKey;
use discburn::mmc::transport::{Completion, DataPhase, Limits, Request, Transport, TransportError};
use discburn::mmc::Command;
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
        let (lba, blocks) = match Write10::parse(r.cdb) {
            Ok(w) => (w.lba, u32::from(w.blocks)),
            Err(_) => (0, 0),
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
        if self.busy_every > 0 && self.n.is_multiple_of(self.busy_every) {
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

// ---- pipelining: a transport that keeps several WRITEs outstanding ----

use std::sync::atomic::{AtomicBool, Ordering};

use discburn::mmc::transport::ScsiStatus;
use discburn::CancelToken;

/// What the pipelined drive saw.
#[derive(Debug, Default)]
struct PipeLog {
    /// Every `execute_queue` call: (LBA, blocks) of each request, in order.
    batches: Vec<Vec<(i32, u32)>>,
    /// WRITEs sent one at a time through `execute`.
    singles: Vec<(i32, u32)>,
    /// Simulated time at which each batch was received.
    batch_at: Vec<Duration>,
    /// Opcodes of the other commands.
    others: Vec<u8>,
    /// Every WRITE executed (whatever its answer), in the order the drive ran them.
    order: Vec<(i32, u32)>,
}

/// A drive behind a pipelining transport (`max_in_flight` 4, 64 KiB transfers unless
/// set): it runs every request of a batch and reports each one's own result, as the
/// iSCSI initiator does for requests already at the target. Sequential media refuse a
/// WRITE off the next writable address (5/21/02); random-access media take any LBA.
struct Piped {
    clock: SharedClock,
    log: Arc<Mutex<PipeLog>>,
    image: Arc<Mutex<Vec<u8>>>,
    nwa: u32,
    sequential: bool,
    max_transfer: usize,
    /// (batch number, position in it, sense): that request fails once with that sense.
    fault: Option<(usize, usize, Vec<u8>)>,
    /// Called after every batch with its number.
    after_batch: Option<Box<dyn FnMut(usize) + Send>>,
    /// The first WRITE waits until the source has been read whole, so every later
    /// round finds all its data ready and the batches are deterministic.
    source_done: Arc<AtomicBool>,
}

impl Piped {
    /// A drive for `sectors` sectors on `clock`, without fault or hook.
    fn new(clock: &SharedClock, sectors: u32, sequential: bool, max_transfer: usize) -> Self {
        Piped {
            clock: Arc::clone(clock),
            log: Arc::default(),
            image: Arc::new(Mutex::new(vec![0u8; sectors as usize * 2048])),
            nwa: 0,
            sequential,
            max_transfer,
            fault: None,
            after_batch: None,
            source_done: Arc::new(AtomicBool::new(true)),
        }
    }

    fn write(&mut self, cdb: &[u8], data: &DataPhase<'_>) -> Completion {
        while !self.source_done.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let (lba, blocks) = lba_blocks(cdb);
        self.log.lock().unwrap().order.push((lba as i32, blocks));
        if self.sequential && lba != self.nwa {
            return Completion::check_condition(sense(5, 0x21, 2), 0);
        }
        let DataPhase::Out(d) = data else {
            panic!("WRITE without data")
        };
        assert_eq!(d.len(), blocks as usize * 2048);
        let at = lba as usize * 2048;
        self.image.lock().unwrap()[at..at + d.len()].copy_from_slice(d);
        self.nwa = self.nwa.max(lba + blocks);
        Completion::good(d.len())
    }
}

fn lba_blocks(cdb: &[u8]) -> (u32, u32) {
    let lba = u32::from_be_bytes([cdb[2], cdb[3], cdb[4], cdb[5]]);
    let blocks = match cdb[0] {
        0xAA => u32::from_be_bytes([cdb[6], cdb[7], cdb[8], cdb[9]]),
        _ => u32::from(u16::from_be_bytes([cdb[7], cdb[8]])),
    };
    (lba, blocks)
}

impl Transport for Piped {
    fn execute(&mut self, r: Request<'_>) -> Result<Completion, TransportError> {
        if r.cdb[0] != 0x2A {
            self.log.lock().unwrap().others.push(r.cdb[0]);
            return Ok(Completion::check_condition(sense(5, 0x20, 0), 0));
        }
        let (lba, blocks) = lba_blocks(r.cdb);
        self.log.lock().unwrap().singles.push((lba as i32, blocks));
        Ok(self.write(r.cdb, &r.data))
    }

    fn limits(&self) -> Limits {
        Limits {
            max_transfer: self.max_transfer,
            alignment: 4096,
            max_in_flight: 4,
        }
    }

    fn execute_queue(
        &mut self,
        requests: &mut [Request<'_>],
    ) -> Vec<Result<Completion, TransportError>> {
        assert!(requests.len() <= 4, "more than max_in_flight in one batch");
        let n = {
            let mut log = self.log.lock().unwrap();
            log.batches.push(
                requests
                    .iter()
                    .map(|r| {
                        let (l, b) = lba_blocks(r.cdb);
                        (l as i32, b)
                    })
                    .collect(),
            );
            log.batch_at.push(self.clock.now());
            log.batches.len() - 1
        };
        let mut out = Vec::new();
        for (i, r) in requests.iter().enumerate() {
            assert_eq!(r.cdb[0], 0x2A, "only WRITEs are pipelined");
            match &self.fault {
                Some((b, p, s)) if (*b, *p) == (n, i) => {
                    out.push(Ok(Completion::check_condition(s.clone(), 0)));
                    self.fault = None;
                }
                _ => out.push(Ok(self.write(r.cdb, &r.data))),
            }
        }
        if let Some(f) = self.after_batch.as_mut() {
            f(n);
        }
        out
    }
}

/// Counts what the reader took and flags the end.
struct Counted {
    data: Vec<u8>,
    at: usize,
    done: Arc<AtomicBool>,
}

impl std::io::Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        if self.at == self.data.len() {
            self.done.store(true, Ordering::SeqCst);
        }
        Ok(n)
    }
}

struct PipeRig {
    engine: WriteEngine,
    log: Arc<Mutex<PipeLog>>,
    image: Arc<Mutex<Vec<u8>>>,
    source: Counted,
    data: Vec<u8>,
}

fn data_for(sectors: u32) -> Vec<u8> {
    (0..sectors as usize * 2048)
        .map(|i| ((i / 2048) as u8) ^ (i as u8).wrapping_mul(13))
        .collect()
}

/// An engine writing `sectors` through `wrap(drive)`, the drive gated on the source.
fn piped_with(
    sectors: u32,
    sequential: bool,
    fault: Option<(usize, usize, Vec<u8>)>,
    after_batch: Option<Box<dyn FnMut(usize) + Send>>,
    wrap: impl FnOnce(Piped) -> Box<dyn Transport>,
) -> PipeRig {
    let (_sim, clock) = SimClock::shared();
    let mut t = Piped::new(&clock, sectors, sequential, 64 * 1024);
    t.fault = fault;
    t.after_batch = after_batch;
    let done = Arc::new(AtomicBool::new(false));
    t.source_done = Arc::clone(&done);
    let (log, image) = (Arc::clone(&t.log), Arc::clone(&t.image));
    let rec = Arc::new(Recorder::new(wrap(t), "scripted:piped", clock));
    let engine = WriteEngine::with_recorder(rec, 2048).unwrap();
    let data = data_for(sectors);
    PipeRig {
        engine,
        log,
        image,
        source: Counted {
            data: data.clone(),
            at: 0,
            done,
        },
        data,
    }
}

fn piped(
    sectors: u32,
    sequential: bool,
    fault: Option<(usize, usize, Vec<u8>)>,
    after_batch: Option<Box<dyn FnMut(usize) + Send>>,
) -> PipeRig {
    piped_with(sectors, sequential, fault, after_batch, |t| Box::new(t))
}

/// Every WRITE the drive accepted or refused, in the order sent.
fn all_writes(log: &PipeLog) -> Vec<(i32, u32)> {
    let mut v = log.singles.clone();
    for b in &log.batches {
        v.extend_from_slice(b);
    }
    v.sort_by_key(|w| w.0);
    v
}

#[test]
fn pipelined_rounds_are_consecutive_and_in_order() {
    let r = piped(1000, true, None, None);
    let last = r.engine.write_section(r.source, 0, 1000).unwrap();
    assert_eq!(last.last_written_lba, 999);
    assert_eq!(*r.image.lock().unwrap(), r.data);
    let log = r.log.lock().unwrap();
    // 1000 sectors in 64 KiB WRITEs: 31 × 32 + 8, each sent exactly once, in order.
    let mut next = 0;
    let seen = &log.order;
    for &(lba, blocks) in seen {
        assert_eq!(lba, next, "{seen:?}");
        next += blocks as i32;
    }
    assert_eq!(next, 1000);
    assert_eq!(seen.len(), 32);
    // Once the reader has caught up (the drive holds the first WRITE until then),
    // rounds are full batches of four consecutive WRITEs.
    assert!(log.singles.len() <= 2, "{:?}", log.singles);
    let full = log.batches.iter().filter(|b| b.len() == 4).count();
    assert!(full >= 6, "{:?}", log.batches);
}

#[test]
fn long_write_in_progress_mid_batch_resends_from_the_first_unwritten() {
    // Batch 2, position 1 answers LONG WRITE IN PROGRESS; the two WRITEs behind it were
    // already at the drive and are refused (off the NWA), as a real sequential drive does.
    let r = piped(1024, true, Some((2, 1, sense(2, 4, 8))), None);
    r.engine.set_starting_sectors_per_second(1000).unwrap();
    r.engine.set_ending_sectors_per_second(1000).unwrap();
    let last = r.engine.write_section(r.source, 0, 1024).unwrap();
    assert_eq!(last.last_written_lba, 1023);
    assert_eq!(last.device_busy_count, 1);
    assert_eq!(*r.image.lock().unwrap(), r.data, "every sector, in place");
    let log = r.log.lock().unwrap();
    let failed = log.batches[2][1];
    // The next batch starts exactly at the refused WRITE, after one chunk's drain time
    // at the expected rate (32 sectors at 1000 sectors/s).
    assert_eq!(log.batches[3][0], failed);
    assert_eq!(log.batches[3].len(), 4);
    assert_eq!(log.batch_at[3] - log.batch_at[2], Duration::from_millis(32));
    // Nothing was sent twice except the three WRITEs the failure voided.
    let writes = all_writes(&log);
    assert_eq!(writes.len(), 32 + 3);
}

#[test]
fn failure_mid_batch_reports_the_good_prefix() {
    // Random-access media: the WRITE after the failed one lands, but the engine reports
    // only the contiguous GOOD prefix and sends nothing more.
    let r = piped(1024, false, Some((2, 2, sense(3, 0x0C, 0))), None);
    let err = r.engine.write_section(r.source, 0, 1024).unwrap_err();
    let log = r.log.lock().unwrap();
    let (failed_lba, _) = log.batches[2][2];
    assert_eq!(err.last_written_lba(), Some(failed_lba - 1));
    assert_eq!(
        err.sense_info().map(|s| s.key()),
        Some(SenseKey::MediumError)
    );
    assert_eq!(log.batches.len(), 3, "no WRITE after the failed batch");
    // The transport did run the request behind the failure.
    let (after, blocks) = log.batches[2][3];
    let img = r.image.lock().unwrap();
    let range = after as usize * 2048..(after as usize + blocks as usize) * 2048;
    assert_eq!(img[range.clone()], r.data[range]);
}

#[test]
fn cancel_lands_between_batches() {
    let token = CancelToken::new();
    let t = token.clone();
    let hook: Box<dyn FnMut(usize) + Send> = Box::new(move |n| {
        if n == 3 {
            t.cancel();
        }
    });
    let r = piped(2048, true, None, Some(hook));
    r.engine.set_cancel_token(token);
    let err = r.engine.write_section(r.source, 0, 2048).unwrap_err();
    assert!(err.is_cancelled());
    let log = r.log.lock().unwrap();
    assert_eq!(log.batches.len(), 4, "no WRITE after the cancel");
    let written: u32 = all_writes(&log).iter().map(|w| w.1).sum();
    assert_eq!(err.last_written_lba(), Some(written as i32 - 1));
    assert_eq!(
        log.batches[3].last().map(|w| w.0 + w.1 as i32),
        Some(written as i32)
    );
    assert_eq!(
        log.others.last(),
        Some(&0x35),
        "SYNCHRONIZE CACHE after cancel"
    );
}

#[test]
fn writes_are_sized_to_the_latency_budget() {
    // 1 MiB transfers at an expected 8000 sectors/s: 20 ms is 160 sectors, so each
    // 512-sector buffer goes out as four 128-sector WRITEs; with four in flight the
    // budget is shared and WRITEs are the 32-sector floor.
    for (pipelined, want) in [(false, 128u32), (true, 32)] {
        let (_sim, clock) = SimClock::shared();
        let t = Piped::new(&clock, 2048, true, 1 << 20);
        let log = Arc::clone(&t.log);
        let rec = if pipelined {
            Recorder::new(Box::new(t), "scripted:piped", clock)
        } else {
            Recorder::new(Box::new(Single(t)), "scripted:single", clock)
        };
        let e = WriteEngine::with_recorder(Arc::new(rec), 2048).unwrap();
        e.set_starting_sectors_per_second(8000).unwrap();
        e.set_ending_sectors_per_second(8000).unwrap();
        e.write_section(&data_for(2048)[..], 0, 2048).unwrap();
        let log = log.lock().unwrap();
        let writes = all_writes(&log);
        assert!(writes.iter().all(|w| w.1 == want), "{writes:?}");
        assert_eq!(writes.len(), 2048 / want as usize);
        assert_eq!(log.batches.is_empty(), !pipelined);
    }
}

/// The same drive without pipelining (`max_in_flight` 1).
struct Single(Piped);

impl Transport for Single {
    fn execute(&mut self, r: Request<'_>) -> Result<Completion, TransportError> {
        self.0.execute(r)
    }
    fn limits(&self) -> Limits {
        Limits {
            max_in_flight: 1,
            ..self.0.limits()
        }
    }
}

#[test]
fn non_good_status_is_not_written() {
    // A BUSY status (no sense) mid-batch ends the section at the prefix too.
    struct Busy(Piped);
    impl Transport for Busy {
        fn execute(&mut self, r: Request<'_>) -> Result<Completion, TransportError> {
            self.0.execute(r)
        }
        fn limits(&self) -> Limits {
            self.0.limits()
        }
        fn execute_queue(
            &mut self,
            requests: &mut [Request<'_>],
        ) -> Vec<Result<Completion, TransportError>> {
            let mut out = self.0.execute_queue(requests);
            if self.0.log.lock().unwrap().batches.len() == 2 {
                out[1] = Ok(Completion {
                    status: ScsiStatus::Busy,
                    sense: Vec::new(),
                    transferred: 0,
                });
                for o in out.iter_mut().skip(2) {
                    *o = Err(TransportError::NotExecuted);
                }
            }
            out
        }
    }
    let r = piped_with(1024, false, None, None, |t| Box::new(Busy(t)));
    let err = r.engine.write_section(r.source, 0, 1024).unwrap_err();
    let log = r.log.lock().unwrap();
    let (lba, _) = log.batches[1][1];
    assert_eq!(err.last_written_lba(), Some(lba - 1));
    assert_eq!(log.batches.len(), 2);
}

#[test]
fn an_unthrottled_device_gets_whole_buffers() {
    // The expected 8000 sectors/s asks for 128-sector WRITEs, but the drive never holds
    // one back: past 16 MiB (more than any drive buffer) it is evidently not limited by
    // a medium, and WRITEs carry whole 1 MiB buffers.
    let (_sim, clock) = SimClock::shared();
    let t = Piped::new(&clock, 10_240, true, 1 << 20);
    let log = Arc::clone(&t.log);
    let rec = Recorder::new(Box::new(Single(t)), "scripted:single", clock);
    let e = WriteEngine::with_recorder(Arc::new(rec), 2048).unwrap();
    e.set_starting_sectors_per_second(8000).unwrap();
    e.set_ending_sectors_per_second(8000).unwrap();
    e.write_section(&data_for(10_240)[..], 0, 10_240).unwrap();
    let sizes: Vec<u32> = log.lock().unwrap().order.iter().map(|w| w.1).collect();
    assert_eq!(sizes[..64], [128; 64]);
    assert_eq!(sizes[64..], [512; 4]);
}
