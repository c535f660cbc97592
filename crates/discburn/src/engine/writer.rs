//! The write loop's decisions as a sans-I/O state machine (after quinn-proto's
//! `Connection` and this project's iSCSI `Session`): [`WriterCore`] never touches the
//! recorder, the clock or the reader thread.
//!
//! The caller (engine/run.rs) feeds it the current time and reader progress through
//! [`WriterCore::poll`], executes the [`Action`] it returns, and hands back what came of
//! it: the completions of a round of WRITEs ([`WriterCore::handle_writes`]), a READ
//! BUFFER CAPACITY answer ([`WriterCore::handle_buffer_capacity`]), a buffer from the
//! reader ([`WriterCore::handle_receive`]), a cancel ([`WriterCore::handle_cancel`]).
//! Completions are byte-level — SCSI status and sense bytes — and sense is decided by
//! [`Sense::classify`].
//!
//! Decided here: how many WRITEs of what size per round ([`Timing::sectors_per_write`]),
//! counting only the GOOD prefix of a round, the wait after LONG WRITE IN PROGRESS
//! (2/04/08) and other operations in progress (2/04/xx), the one resend after ABORTED
//! COMMAND, when READ BUFFER CAPACITY is polled and when it is given up, the event
//! cadence, the no-progress watchdog, and the SYNCHRONIZE CACHE a cancelled section owes
//! the drive.

use std::collections::VecDeque;
use std::time::Duration;

use discburn_mmc::rw::{SynchronizeCache10, Write10, Write12};
use discburn_mmc::sense::{Sense, SenseClass};
use discburn_mmc::speed::BufferCapacityBytes;
use discburn_mmc::{Cdb, Command, ScsiStatus};

use super::events::{DeviceBuffer, Phase, Update};
use super::pacing::{RateModel, Timing, WriteGeometry, SLOWEST_PLAUSIBLE_SPS};
use super::pool::SourceEnd;
use crate::error::{Error, ErrorKind, SenseInfo};
use crate::recorder::DEFAULT_COMMAND_TIMEOUT;

/// Bytes sent after which the drive buffer is assumed to have filled once even if no
/// other sign showed it (twice the largest drive buffer in the field, 8 MiB).
const ASSUME_FILLED_AFTER: u64 = 16 << 20;

/// Most WRITEs in one pipelined round (the round lives on the stack).
pub(crate) const MAX_BATCH: usize = 16;

/// What one `write_section` call writes and how (IWriteEngine2::WriteSection's inputs
/// and the transport's shape).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Section {
    /// First LBA.
    pub start: i32,
    /// Sectors to write (positive).
    pub count: i32,
    /// Logical block size.
    pub bytes_per_sector: u32,
    /// WRITE(12) with the Streaming bit instead of WRITE(10).
    pub write12: bool,
    /// The timing policy.
    pub timing: Timing,
    /// How WRITEs cut the host buffers (`buffer` sectors each).
    pub geometry: WriteGeometry,
    /// WRITEs the transport keeps outstanding (clamped to 1..=[`MAX_BATCH`]).
    pub in_flight: usize,
    /// Bytes of the whole system buffer.
    pub total_buffer: u64,
    /// IWriteEngine2::StartingSectorsPerSecond (−1: the drive's, else measured).
    pub starting_sectors_per_second: i32,
    /// IWriteEngine2::EndingSectorsPerSecond.
    pub ending_sectors_per_second: i32,
}

/// How one command ended, as the device (or the transport) answered.
#[derive(Debug)]
pub(crate) enum Completion {
    /// GOOD.
    Good,
    /// CHECK CONDITION with these sense bytes (fixed or descriptor format).
    CheckCondition(Vec<u8>),
    /// Another SCSI status (BUSY, RESERVATION CONFLICT, …).
    Status(ScsiStatus),
    /// The command never got an answer from the device (a transport error, a timeout).
    Undelivered(Error),
}

/// What the reader thread's channel gave.
#[derive(Debug)]
pub(crate) enum Received {
    /// A filled host buffer of `sectors` sectors; `end` when the source stopped there.
    Filled {
        sectors: u32,
        end: Option<SourceEnd>,
    },
    /// Nothing yet (nothing ready, or the wait timed out).
    Empty,
    /// The reader thread is gone.
    Gone,
}

/// One WRITE of a round: `sectors` sectors from sector `first` of the `buffer`-th held
/// host buffer (oldest first) to `lba`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece {
    pub buffer: usize,
    pub first: u32,
    pub sectors: u32,
    pub lba: u32,
    pub cdb: Cdb,
}

/// A round: one WRITE, or up to `in_flight` consecutive WRITEs sent together, in LBA
/// order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Round {
    pieces: [Piece; MAX_BATCH],
    len: usize,
}

impl Round {
    pub(crate) fn pieces(&self) -> &[Piece] {
        &self.pieces[..self.len]
    }
}

/// What the I/O loop does next.
// Consumed as soon as it is returned: boxing the Update would allocate every event.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Action {
    /// Hand the oldest held host buffer back to the reader: it is wholly written.
    Release,
    /// Take a buffer from the reader: without waiting (`None`) or for up to this long.
    Receive(Option<Duration>),
    /// Send the round of WRITEs [`WriterCore::round`] describes, with
    /// [`WriterCore::command_timeout`], then [`WriterCore::handle_writes`].
    Write,
    /// Send READ BUFFER CAPACITY (MMC-6 §6.21, byte form), then
    /// [`WriterCore::handle_buffer_capacity`].
    ReadBufferCapacity,
    /// Deliver this event.
    Emit(Update),
    /// Sleep until this time, then poll again.
    WaitUntil(Duration),
    /// The section is written.
    Done,
    /// The section failed (or was cancelled) with this error, which carries the last
    /// LBA written.
    Fail(Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Poll {
    /// The drive buffer has not filled yet: READ BUFFER CAPACITY is not sent.
    NotYet,
    /// Polling at the drive-safe period.
    Active,
    /// The drive refused READ BUFFER CAPACITY; not asked again.
    Unsupported,
}

/// A held host buffer as the core sees it: its sectors and whether the source ended in
/// it. The bytes stay with the I/O loop.
#[derive(Debug)]
struct Held {
    sectors: u32,
    end: Option<SourceEnd>,
}

/// A failed WRITE of a round: what it answered, its CDB and its sectors.
#[derive(Debug)]
struct Failure {
    completion: Completion,
    cdb: Cdb,
    sectors: u32,
}

/// Where the write loop stands.
#[derive(Debug)]
enum Step {
    /// Between rounds: release written buffers, check the end, cancel and watchdog.
    Top,
    /// A released buffer was the source's last: the section ends with it.
    SourceEnded(SourceEnd),
    /// Nothing held: try the reader once.
    FirstReceive,
    /// The source is behind: tick, then wait on the reader a slice at a time.
    WaitingForSource { before: Phase, ticked: bool },
    /// Take whatever else the reader has ready before a round.
    Collect,
    /// Cut and send a round.
    Round,
    /// The round is out since `sent_at`.
    InRound { sent_at: Duration },
    /// The round's answers are counted; after the tick, decide about its failure.
    AfterRound {
        failure: Option<Failure>,
        wrote: bool,
        at: Duration,
    },
    /// Waiting `until` for the drive to drain (NOT READY in progress).
    DeviceWait {
        until: Duration,
        wrote: bool,
        ticked: bool,
    },
    /// Failing with this error at the next poll.
    Failing(Error),
    /// Done or failed: nothing more to do.
    Ended,
}

/// A tick in progress: minimum fills sampled, READ BUFFER CAPACITY when due, an event
/// when due — all judged at the tick's `now`.
#[derive(Debug, Clone, Copy)]
enum Tick {
    Start,
    AwaitingCapacity { now: Duration },
    Event { now: Duration },
}

/// The write loop of one WriteSection (IWriteEngine2::WriteSection) as a sans-I/O state
/// machine: see the module docs.
#[derive(Debug)]
pub(crate) struct WriterCore {
    section: Section,
    rate: RateModel,
    one_x_sps: Option<f64>,
    timeout: Duration,
    t0: Duration,
    first_write_at: Option<Duration>,
    /// When the drive buffer first showed full (a WRITE held back for room, a busy
    /// answer) and the sectors written before: the start of the average speed.
    filled_at: Option<(Duration, u64)>,
    written: u64,
    /// Host buffers received from the reader and not yet wholly written, oldest first.
    held: VecDeque<Held>,
    /// Section sector index of the first sector of the oldest held buffer.
    held_start: u64,
    /// Rate observed from rounds the drive held back (its buffer full): what the drive
    /// really drains at, used to size WRITEs when it is below the expected rate.
    drain_sps: Option<f64>,
    /// The drive has held a round back (about its drain time) or answered busy: it
    /// writes at a medium's pace, so the expected rate sizes WRITEs.
    throttled: bool,
    seq: u64,
    next_event_at: Duration,
    last_event_at: Duration,
    last_event_written: u64,
    min_used_host: u64,
    min_used_dev: Option<u64>,
    /// A READ BUFFER CAPACITY answer has shown the drive buffer at least half full:
    /// from then on a low fill means the drive is starving. Before (a drive recording
    /// as fast as it is fed, an unthrottled image) an empty buffer means nothing.
    device_held: bool,
    device_buffer: Option<DeviceBuffer>,
    poll: Poll,
    bytes_sent: u64,
    next_poll_at: Duration,
    busy: u64,
    /// Busy answers in a row without a sector written: the backoff's exponent.
    consecutive: u32,
    /// The section sector at which a WRITE answered ABORTED COMMAND and was sent again
    /// (MMC practice: retry an aborted command once, then report it).
    aborted_retry_at: Option<u64>,
    last_progress_at: Duration,
    phase: Phase,
    commands_sent: bool,
    cancelled: bool,
    step: Step,
    tick: Option<Tick>,
    /// The round last cut (kept here, not in an [`Action`], so actions stay small).
    round: Round,
}

impl WriterCore {
    /// A core for `section`, started at `now`. Until [`WriterCore::preflight`] the rate
    /// is the caller's explicit speeds only.
    pub(crate) fn new(section: Section, now: Duration) -> Self {
        let mut section = section;
        section.in_flight = section.in_flight.clamp(1, MAX_BATCH);
        let mut core = WriterCore {
            section,
            rate: RateModel::new(i64::from(section.start), section.count as u64, None, None),
            one_x_sps: None,
            timeout: DEFAULT_COMMAND_TIMEOUT,
            t0: now,
            first_write_at: None,
            filled_at: None,
            written: 0,
            held: VecDeque::new(),
            held_start: 0,
            drain_sps: None,
            throttled: false,
            seq: 0,
            next_event_at: now,
            last_event_at: now,
            last_event_written: 0,
            min_used_host: u64::MAX,
            min_used_dev: None,
            device_held: false,
            device_buffer: None,
            poll: Poll::NotYet,
            bytes_sent: 0,
            next_poll_at: now,
            busy: 0,
            consecutive: 0,
            aborted_retry_at: None,
            last_progress_at: now,
            // Events before the loop (Starting) name their phase themselves.
            phase: Phase::Writing,
            commands_sent: false,
            cancelled: false,
            step: Step::Top,
            tick: None,
            round: Round {
                pieces: [Piece {
                    buffer: 0,
                    first: 0,
                    sectors: 0,
                    lba: 0,
                    cdb: Write10::default().emit(),
                }; MAX_BATCH],
                len: 0,
            },
        };
        core.held.reserve(MAX_BATCH);
        core
    }

    /// The LBA range whose nominal write rate (GET PERFORMANCE) the core wants, or
    /// `None` when the caller set both speeds and the drive need not be asked.
    pub(crate) fn nominal_rate_wanted(&self) -> Option<(i64, i64)> {
        let s = &self.section;
        if s.starting_sectors_per_second > 0 && s.ending_sectors_per_second > 0 {
            return None;
        }
        let first = i64::from(s.start);
        Some((first, first + i64::from(s.count) - 1))
    }

    /// What the engine learns before writing: the medium's 1x (for "×" figures) and the
    /// drive's nominal rate at the section's ends (sectors/s), which fills the speeds
    /// left at −1. Sets the expected rate and the command timeout.
    pub(crate) fn preflight(&mut self, one_x_sps: Option<f64>, nominal: Option<(f64, f64)>) {
        let s = self.section;
        self.one_x_sps = one_x_sps;
        let explicit = |v: i32| (v > 0).then_some(f64::from(v));
        let start_sps = explicit(s.starting_sectors_per_second).or(nominal.map(|n| n.0));
        let end_sps = explicit(s.ending_sectors_per_second).or(nominal.map(|n| n.1));
        self.rate = RateModel::new(i64::from(s.start), s.count as u64, start_sps, end_sps);
        let slowest = self.rate.slowest().unwrap_or(SLOWEST_PLAUSIBLE_SPS);
        // A pipelined WRITE may wait behind the others of its round at the drive.
        self.timeout = s.timing.command_timeout(
            self.chunk_bytes() * s.in_flight as u64,
            slowest * f64::from(s.bytes_per_sector),
        );
    }

    /// What this core writes.
    pub(crate) fn section(&self) -> &Section {
        &self.section
    }

    /// The timeout every WRITE is sent with.
    pub(crate) fn command_timeout(&self) -> Duration {
        self.timeout
    }

    /// The last LBA the drive accepted: the end of the GOOD prefix so far (`start − 1`
    /// when nothing was written).
    pub(crate) fn last_written_lba(&self) -> i32 {
        (self.next_lba() - 1) as i32
    }

    /// The flush a cancelled section owes the drive: SYNCHRONIZE CACHE with Immed (MMC-6
    /// §6.41), when any WRITE was sent. Immed: the drive flushes in the background, so
    /// cancel returns at once; the caller polls TEST UNIT READY before its next step.
    pub(crate) fn sync_after_cancel(&self) -> Option<SynchronizeCache10> {
        self.commands_sent.then_some(SynchronizeCache10 {
            immed: true,
            lba: 0,
            blocks: 0,
        })
    }

    /// CancelWrite was requested; honoured at the next point the loop checks it
    /// (between rounds and inside every wait).
    pub(crate) fn handle_cancel(&mut self) {
        self.cancelled = true;
    }

    /// The next thing to do, at `now` with `read` sectors read from the source so far.
    pub(crate) fn poll(&mut self, now: Duration, read: u64) -> Action {
        loop {
            if let Some(tick) = self.tick {
                match tick {
                    Tick::Start => {
                        self.min_used_host = self.min_used_host.min(self.used_host(read));
                        if self.poll == Poll::Active && now >= self.next_poll_at {
                            self.next_poll_at = now + self.section.timing.device_buffer_poll_period;
                            self.tick = Some(Tick::AwaitingCapacity { now });
                            return Action::ReadBufferCapacity;
                        }
                        self.tick = Some(Tick::Event { now });
                    }
                    Tick::AwaitingCapacity { .. } => return Action::ReadBufferCapacity,
                    Tick::Event { now: at } => {
                        self.tick = None;
                        if at >= self.next_event_at {
                            return Action::Emit(self.update(self.phase, now, read));
                        }
                    }
                }
                continue;
            }
            if let Some(action) = self.step(now) {
                return action;
            }
        }
    }

    /// Advances the write loop by one step: an action, or `None` to look again.
    fn step(&mut self, now: Duration) -> Option<Action> {
        match std::mem::replace(&mut self.step, Step::Ended) {
            Step::Top => return Some(self.top(now)),
            Step::SourceEnded(end) => {
                let e = match end {
                    SourceEnd::Eof => Error::new(ErrorKind::SourceExhausted {
                        lba: self.next_lba() as i32,
                    }),
                    SourceEnd::Error(e) => Error::new(ErrorKind::Source(e)),
                };
                return Some(self.fail(e));
            }
            Step::FirstReceive => {
                self.step = Step::FirstReceive;
                return Some(Action::Receive(None));
            }
            Step::WaitingForSource { before, ticked } => {
                if !ticked {
                    if self.cancelled {
                        return Some(self.fail(Error::new(ErrorKind::Cancelled)));
                    }
                    self.step = Step::WaitingForSource {
                        before,
                        ticked: true,
                    };
                    self.tick = Some(Tick::Start);
                    return None;
                }
                self.step = Step::WaitingForSource {
                    before,
                    ticked: false,
                };
                return Some(Action::Receive(Some(self.section.timing.wait_slice)));
            }
            Step::Collect => {
                self.step = Step::Collect;
                return Some(Action::Receive(None));
            }
            Step::Round => {
                self.cut_round(now);
                self.commands_sent = true;
                self.step = Step::InRound { sent_at: now };
                return Some(Action::Write);
            }
            Step::InRound { .. } => {
                // The caller broke the contract; resending could write twice.
                return Some(self.fail(crate::recorder::invalid(
                    "the write loop was polled before its round's answers",
                )));
            }
            Step::AfterRound { failure, wrote, at } => {
                return self.after_round(failure, wrote, at, now)
            }
            Step::DeviceWait {
                until,
                wrote,
                ticked,
            } => {
                if !ticked {
                    if self.cancelled {
                        return Some(self.fail(Error::new(ErrorKind::Cancelled)));
                    }
                    self.step = Step::DeviceWait {
                        until,
                        wrote,
                        ticked: true,
                    };
                    self.tick = Some(Tick::Start);
                    return None;
                }
                if now >= until {
                    if wrote {
                        self.consecutive = 0;
                    }
                    self.step = Step::Top;
                    return None;
                }
                if let Some(e) = self.watchdog(now) {
                    return Some(self.fail(e));
                }
                self.step = Step::DeviceWait {
                    until,
                    wrote,
                    ticked: false,
                };
                let slice = (until - now).min(self.section.timing.wait_slice);
                return Some(Action::WaitUntil(now + slice));
            }
            Step::Failing(e) => return Some(self.fail(e)),
            Step::Ended => {}
        }
        Some(Action::Done)
    }

    /// Between rounds: hand back written buffers, then end, cancel, watchdog, and either
    /// wait for the source or collect buffers for the next round.
    fn top(&mut self, now: Duration) -> Action {
        let done_with_front = self
            .held
            .front()
            .is_some_and(|f| self.written >= self.held_start + u64::from(f.sectors));
        if done_with_front {
            if let Some(f) = self.held.pop_front() {
                self.held_start += u64::from(f.sectors);
                // A short or failed source ends the section once everything it
                // delivered is written.
                self.step = match f.end {
                    Some(end) => Step::SourceEnded(end),
                    None => Step::Top,
                };
            }
            return Action::Release;
        }
        if self.written >= self.section.count as u64 {
            self.step = Step::Ended;
            return Action::Done;
        }
        if self.cancelled {
            return self.fail(Error::new(ErrorKind::Cancelled));
        }
        if let Some(e) = self.watchdog(now) {
            return self.fail(e);
        }
        if self.held.is_empty() {
            self.step = Step::FirstReceive;
        } else {
            self.step = Step::Collect;
        }
        Action::Receive(None)
    }

    /// What the reader's channel gave after [`Action::Receive`].
    pub(crate) fn handle_receive(&mut self, received: Received) {
        let step = std::mem::replace(&mut self.step, Step::Ended);
        self.step = match (step, received) {
            (Step::FirstReceive, Received::Filled { sectors, end }) => {
                self.held.push_back(Held { sectors, end });
                Step::Top
            }
            (Step::FirstReceive, Received::Empty) => {
                let before = self.phase;
                self.phase = Phase::WaitingForSource;
                Step::WaitingForSource {
                    before,
                    ticked: false,
                }
            }
            (Step::WaitingForSource { before, .. }, Received::Filled { sectors, end }) => {
                self.phase = before;
                self.held.push_back(Held { sectors, end });
                Step::Top
            }
            (s @ Step::WaitingForSource { .. }, Received::Empty) => s,
            (Step::WaitingForSource { before, .. }, Received::Gone) => {
                self.phase = before;
                Step::Failing(reader_gone())
            }
            (Step::FirstReceive, Received::Gone) => Step::Failing(reader_gone()),
            (Step::Collect, Received::Filled { sectors, end }) => {
                self.held.push_back(Held { sectors, end });
                Step::Collect
            }
            (Step::Collect, Received::Empty | Received::Gone) => Step::Round,
            // Not waiting on the reader: keep the buffer all the same.
            (s, Received::Filled { sectors, end }) => {
                self.held.push_back(Held { sectors, end });
                s
            }
            (s, _) => s,
        };
    }

    /// The round to send after [`Action::Write`].
    pub(crate) fn round(&self) -> &Round {
        &self.round
    }

    /// Cuts the next round from the held buffers, starting at the first sector not yet
    /// written, each WRITE sized for the rate expected there.
    fn cut_round(&mut self, now: Duration) {
        let lba0 = self.next_lba();
        let in_flight = self.section.in_flight;
        let size = self.section.timing.sectors_per_write(
            self.section.geometry,
            self.sizing_sps(lba0, now),
            in_flight,
        );
        let mut round = self.round;
        round.len = 0;
        let (mut idx, mut off) = (0, (self.written - self.held_start) as u32);
        let mut lba = lba0;
        while round.len < in_flight && idx < self.held.len() {
            let have = self.held[idx].sectors;
            if off >= have {
                (idx, off) = (idx + 1, 0);
                continue;
            }
            let len = size.min(have - off);
            round.pieces[round.len] = Piece {
                buffer: idx,
                first: off,
                sectors: len,
                lba: lba as u32,
                cdb: self.write_cdb(lba as u32, len),
            };
            round.len += 1;
            off += len;
            lba += i64::from(len);
        }
        self.round = round;
    }

    /// The answers to the round last sent, in its order, received at `now`. Only the
    /// GOOD prefix counts as written: nothing from a failed WRITE on (see engine/run.rs).
    pub(crate) fn handle_writes(
        &mut self,
        completions: impl IntoIterator<Item = Completion>,
        now: Duration,
    ) {
        let Step::InRound { sent_at } = std::mem::replace(&mut self.step, Step::Top) else {
            return;
        };
        let round = self.round;
        let mut good = 0u32;
        let mut failure: Option<Failure> = None;
        for (c, p) in completions.into_iter().zip(round.pieces()) {
            match c {
                Completion::Good if failure.is_none() => good += p.sectors,
                // GOOD after a failure: not counted.
                Completion::Good => {}
                c => {
                    if failure.is_none() {
                        failure = Some(Failure {
                            completion: c,
                            cdb: p.cdb,
                            sectors: p.sectors,
                        });
                    }
                }
            }
        }
        if good > 0 {
            let bps = u64::from(self.section.bytes_per_sector);
            let bytes = u64::from(good) * bps;
            let took = now - sent_at;
            self.first_write_at.get_or_insert(sent_at);
            self.written += u64::from(good);
            self.bytes_sent += bytes;
            self.last_progress_at = now;
            self.phase = Phase::Writing;
            self.note_throttle(took, bytes, sent_at, u64::from(good), now);
            if failure.is_none() && took >= self.section.timing.write_latency_budget / 2 {
                // The drive held this round back for room: its time is the drain time.
                self.drain_sps = Some(f64::from(good) / took.as_secs_f64());
                self.throttled = true;
                self.filled_at
                    .get_or_insert((sent_at, self.written - u64::from(good)));
            }
        }
        self.step = Step::AfterRound {
            failure,
            wrote: good > 0,
            at: now,
        };
        self.tick = Some(Tick::Start);
    }

    /// After a round's tick: go on, resend after ABORTED COMMAND, wait out a drive in
    /// progress, or fail.
    fn after_round(
        &mut self,
        failure: Option<Failure>,
        wrote: bool,
        at: Duration,
        now: Duration,
    ) -> Option<Action> {
        let Some(Failure {
            completion,
            cdb,
            sectors: failed_sectors,
        }) = failure
        else {
            self.consecutive = 0;
            self.step = Step::Top;
            return None;
        };
        let raw = match completion {
            Completion::CheckCondition(raw) => raw,
            Completion::Status(status) => {
                return Some(self.fail(Error::new(ErrorKind::Status(status)).at_cdb(cdb)))
            }
            Completion::Undelivered(e) => return Some(self.fail(e)),
            Completion::Good => unreachable!("a GOOD completion is not a failure"),
        };
        let sense = Sense::parse(&raw).ok();
        let class = sense.as_ref().map(Sense::classify);
        match class {
            Some(SenseClass::Aborted) if self.aborted_retry_at != Some(self.written) => {
                // ABORTED COMMAND (a transfer or parity error on the way): nothing from
                // this WRITE on was recorded, so it is sent again once from the same LBA.
                if let Some(sense) = &sense {
                    tracing::warn!(
                        "WRITE at LBA {} aborted ({sense}); retrying once",
                        self.next_lba()
                    );
                }
                self.aborted_retry_at = Some(self.written);
                if wrote {
                    self.consecutive = 0;
                }
                self.step = Step::Top;
                None
            }
            Some(c @ (SenseClass::LongWriteInProgress | SenseClass::InProgress)) => {
                // The drive is full (2/04/08) or briefly busy: wait for it to drain part
                // of its buffer, then resend from the first sector not written.
                self.busy += 1;
                self.throttled = true;
                self.filled_at.get_or_insert((at, self.written));
                if self.poll == Poll::NotYet {
                    self.poll = Poll::Active;
                }
                let timing = self.section.timing;
                let wait = if c == SenseClass::LongWriteInProgress {
                    let bps = f64::from(self.section.bytes_per_sector);
                    let drain = self
                        .device_buffer
                        .map_or(0, |d| d.capacity / 4)
                        .max(u64::from(failed_sectors) * u64::from(self.section.bytes_per_sector));
                    let rate = self.expected_sps(self.next_lba(), now).map(|sps| sps * bps);
                    timing.busy_wait(drain, rate, self.consecutive)
                } else {
                    timing.busy_wait(0, None, self.consecutive)
                };
                self.consecutive += 1;
                self.phase = Phase::WaitingForDevice;
                self.step = Step::DeviceWait {
                    until: now + wait,
                    wrote,
                    ticked: false,
                };
                None
            }
            _ => Some(self.fail(Error::sense(cdb, SenseInfo::from_raw(raw)))),
        }
    }

    /// The answer to [`Action::ReadBufferCapacity`]: the data-in bytes of a GOOD
    /// completion, or `None` when the drive refused it (not asked again).
    pub(crate) fn handle_buffer_capacity(&mut self, answer: Option<&[u8]>) {
        let Some(Tick::AwaitingCapacity { now }) = self.tick else {
            return;
        };
        self.tick = Some(Tick::Event { now });
        match answer.and_then(|b| BufferCapacityBytes::parse(b).ok()) {
            Some(c) => {
                let d = DeviceBuffer {
                    capacity: u64::from(c.buffer_length),
                    free: u64::from(c.available_length),
                    sampled_at: now - self.t0,
                };
                self.device_held |= d.capacity > 0 && d.used() * 2 >= d.capacity;
                if self.device_held {
                    self.min_used_dev =
                        Some(self.min_used_dev.map_or(d.used(), |m| m.min(d.used())));
                }
                self.device_buffer = Some(d);
            }
            None => self.poll = Poll::Unsupported,
        }
    }

    /// The section ends with `e`, which carries the last LBA written.
    fn fail(&self, e: Error) -> Action {
        Action::Fail(e.with_last_written_lba(self.last_written_lba()))
    }

    fn write_cdb(&self, lba: u32, sectors: u32) -> Cdb {
        if self.section.write12 {
            Write12 {
                lba,
                blocks: sectors,
                streaming: true,
                ..Write12::default()
            }
            .emit()
        } else {
            Write10 {
                lba,
                blocks: sectors as u16,
                ..Write10::default()
            }
            .emit()
        }
    }

    fn chunk_bytes(&self) -> u64 {
        u64::from(self.section.geometry.buffer) * u64::from(self.section.bytes_per_sector)
    }

    fn watchdog(&self, now: Duration) -> Option<Error> {
        let idle = now.saturating_sub(self.last_progress_at);
        (idle >= self.section.timing.no_progress_timeout)
            .then(|| Error::new(ErrorKind::NoProgress(idle)))
    }

    /// The rate WRITEs are sized for: the expected rate, or the drain rate observed
    /// when the drive has shown it is slower. A device that took more than any drive
    /// buffer without ever holding a round back (an unthrottled image, a RAM-backed
    /// target) is not limited by a medium: it gets whole buffers until it does hold one
    /// back, which sets the drain rate.
    fn sizing_sps(&self, lba: i64, now: Duration) -> Option<f64> {
        if !self.throttled && self.bytes_sent >= ASSUME_FILLED_AFTER {
            return self.drain_sps;
        }
        match (self.expected_sps(lba, now), self.drain_sps) {
            (Some(e), Some(d)) => Some(e.min(d)),
            (e, d) => e.or(d),
        }
    }

    /// A WRITE that took at least half its expected drain time means the drive was
    /// throttling us, i.e. its buffer had filled: device-buffer polling may start.
    /// `sent_at` and `sectors` are the round's, already counted as written.
    fn note_throttle(
        &mut self,
        took: Duration,
        bytes: u64,
        sent_at: Duration,
        sectors: u64,
        now: Duration,
    ) {
        let bps = f64::from(self.section.bytes_per_sector);
        let expected = self
            .expected_sps(self.next_lba(), now)
            .map(|sps| bytes as f64 / (sps * bps));
        let throttled = expected.is_some_and(|t| t > 0.0 && took.as_secs_f64() >= t / 2.0);
        self.throttled |= throttled;
        if throttled {
            self.filled_at
                .get_or_insert((sent_at, self.written - sectors));
        }
        if self.poll == Poll::NotYet && (throttled || self.bytes_sent >= ASSUME_FILLED_AFTER) {
            self.poll = Poll::Active;
        }
    }

    fn next_lba(&self) -> i64 {
        i64::from(self.section.start) + self.written as i64
    }

    fn used_host(&self, read: u64) -> u64 {
        read.saturating_sub(self.written) * u64::from(self.section.bytes_per_sector)
    }

    /// The average rate the drive records at. Until its buffer fills, a drive accepts
    /// data far faster than it records it (the fill itself), so counting from the first
    /// WRITE would credit the buffer's contents as recorded at once (a 3x drive read
    /// 4x on a short burn). Once the buffer has filled, what the drive accepts is what it
    /// records: the average counts from then. A drive that never fills (records as fast
    /// as it is fed) is averaged from the first WRITE.
    fn average_sps(&self, now: Duration) -> f64 {
        let from = self
            .filled_at
            .or_else(|| self.first_write_at.map(|t| (t, 0)));
        match from {
            Some((t, base)) if now > t => {
                self.written.saturating_sub(base) as f64 / (now - t).as_secs_f64()
            }
            _ => 0.0,
        }
    }

    fn expected_sps(&self, lba: i64, now: Duration) -> Option<f64> {
        self.rate.expected_at(lba).or_else(|| {
            let avg = self.average_sps(now);
            (avg > 0.0).then_some(avg)
        })
    }

    /// The event of `phase` at `now`, with `read` sectors read (one figure, so
    /// LastReadLba and the buffer fill describe the same instant); restarts the event
    /// period and the minimum fills.
    pub(crate) fn update(&mut self, phase: Phase, now: Duration, read: u64) -> Update {
        let s = self.section;
        let bps = u64::from(s.bytes_per_sector);
        let used = read.saturating_sub(self.written) * bps;
        let since = now.saturating_sub(self.last_event_at).as_secs_f64();
        let current = if since > 0.0 {
            (self.written - self.last_event_written) as f64 / since
        } else {
            0.0
        };
        let average = self.average_sps(now);
        let next = self.next_lba();
        let end = i64::from(s.start) + i64::from(s.count);
        let remaining = if self.written >= s.count as u64 {
            Some(Duration::ZERO)
        } else {
            self.rate.time_for(next, end).or_else(|| {
                // try_: a near-zero measured average must not overflow a Duration.
                Duration::try_from_secs_f64((end - next) as f64 / average).ok()
            })
        };
        let x = |sps: f64| self.one_x_sps.map(|one| sps / one);
        let u = Update {
            sequence: self.seq,
            phase,
            start_lba: s.start,
            sector_count: s.count,
            last_read_lba: (i64::from(s.start) + read as i64 - 1) as i32,
            last_written_lba: self.last_written_lba(),
            total_system_buffer: s.total_buffer,
            used_system_buffer: used,
            free_system_buffer: s.total_buffer.saturating_sub(used),
            min_used_system_buffer: self.min_used_host.min(used),
            device_buffer: self.device_buffer,
            min_used_device_buffer: self.min_used_dev,
            bytes_per_sector: s.bytes_per_sector,
            current_sectors_per_second: current,
            average_sectors_per_second: average,
            current_speed_x: x(current),
            average_speed_x: x(average),
            expected_sectors_per_second: self.expected_sps(next, now),
            command_timeout: self.timeout,
            elapsed: now.saturating_sub(self.t0),
            remaining,
            device_busy_count: self.busy,
        };
        self.seq += 1;
        self.last_event_at = now;
        self.last_event_written = self.written;
        self.next_event_at = now + s.timing.event_period;
        self.min_used_host = u64::MAX;
        self.min_used_dev = None;
        u
    }
}

fn reader_gone() -> Error {
    Error::new(ErrorKind::Source(std::io::Error::other(
        "the source reader stopped unexpectedly",
    )))
}

#[cfg(test)]
mod tests {
    //! The decisions fed byte-level completions and a `now`: no device, no clock, no
    //! sleeps.
    use super::*;

    const MS: Duration = Duration::from_millis(1);
    const BPS: u32 = 2048;
    /// NOT READY, LONG WRITE IN PROGRESS (2/04/08), fixed format.
    const LONG_WRITE: [u8; 18] = [
        0x70, 0, 0x02, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x04, 0x08, 0, 0, 0, 0,
    ];

    fn fixed(key: u8, asc: u8, ascq: u8) -> Completion {
        Completion::CheckCondition(vec![
            0x70, 0, key, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0,
        ])
    }

    fn long_write() -> Completion {
        Completion::CheckCondition(LONG_WRITE.to_vec())
    }

    /// READ BUFFER CAPACITY data (MMC-6 §6.21.2): `capacity` bytes, `free` blank.
    fn capacity(capacity: u32, free: u32) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[1] = 10;
        b[4..8].copy_from_slice(&capacity.to_be_bytes());
        b[8..12].copy_from_slice(&free.to_be_bytes());
        b
    }

    /// A core and what surrounds it in the I/O loop, simulated: the reader's buffers,
    /// the time, the drive's READ BUFFER CAPACITY answer.
    struct Rig {
        core: WriterCore,
        now: Duration,
        read: u64,
        /// Sectors of the buffers the reader will deliver, in order, and the source end.
        source: VecDeque<(u32, Option<SourceEnd>)>,
        capacity: Option<[u8; 12]>,
        capacity_polls: usize,
        events: Vec<Update>,
        waits: Vec<Duration>,
        released: usize,
    }

    fn section(in_flight: usize, count: i32, buffer: u32, sps: i32) -> Section {
        Section {
            start: 100,
            count,
            bytes_per_sector: BPS,
            write12: false,
            timing: Timing::default(),
            geometry: WriteGeometry::new(buffer, BPS, 1),
            in_flight,
            total_buffer: 4 * u64::from(buffer) * u64::from(BPS),
            starting_sectors_per_second: sps,
            ending_sectors_per_second: sps,
        }
    }

    impl Rig {
        /// `count` sectors from LBA 100 in buffers of `buffer` sectors at `sps`.
        fn new(s: Section) -> Self {
            let mut core = WriterCore::new(s, Duration::ZERO);
            assert_eq!(core.nominal_rate_wanted(), None);
            core.preflight(None, None);
            let first = core.update(Phase::Starting, Duration::ZERO, 0);
            assert_eq!(first.sequence, 0);
            let mut left = s.count as u32;
            let mut source = VecDeque::new();
            while left > 0 {
                let n = left.min(s.geometry.buffer);
                source.push_back((n, None));
                left -= n;
            }
            Rig {
                core,
                now: Duration::ZERO,
                read: 0,
                source,
                capacity: None,
                capacity_polls: 0,
                events: Vec::new(),
                waits: Vec::new(),
                released: 0,
            }
        }

        /// Runs the loop's side of every action until a round, the end or a failure.
        fn next(&mut self) -> Action {
            for _ in 0..100_000 {
                match self.core.poll(self.now, self.read) {
                    Action::Release => self.released += 1,
                    Action::Receive(_) => {
                        let r = match self.source.pop_front() {
                            Some((sectors, end)) => {
                                self.read += u64::from(sectors);
                                Received::Filled { sectors, end }
                            }
                            None => Received::Empty,
                        };
                        self.core.handle_receive(r);
                    }
                    Action::ReadBufferCapacity => {
                        self.capacity_polls += 1;
                        let answer = self.capacity;
                        self.core
                            .handle_buffer_capacity(answer.as_ref().map(|b| &b[..]));
                    }
                    Action::Emit(u) => self.events.push(u),
                    Action::WaitUntil(t) => {
                        assert!(t > self.now, "a wait must move time");
                        self.waits.push(t);
                        self.now = t;
                    }
                    a => return a,
                }
            }
            panic!("the core never came to a round or an end");
        }

        fn round(&mut self) -> Round {
            match self.next() {
                Action::Write => *self.core.round(),
                a => panic!("expected a round, got {a:?}"),
            }
        }

        /// Sends the next round, answers it `took` later, and returns its (LBA, sectors).
        fn answer(&mut self, took: Duration, answers: Vec<Completion>) -> Vec<(u32, u32)> {
            let r = self.round();
            self.now += took;
            self.core.handle_writes(answers, self.now);
            r.pieces().iter().map(|p| (p.lba, p.sectors)).collect()
        }

        fn fail(&mut self) -> Error {
            match self.next() {
                Action::Fail(e) => e,
                a => panic!("expected a failure, got {a:?}"),
            }
        }
    }

    #[test]
    fn good_rounds_write_the_section_and_release_buffers() {
        let mut rig = Rig::new(section(1, 64, 32, 1000));
        let r = rig.round();
        assert_eq!(r.pieces().len(), 1);
        let p = r.pieces()[0];
        assert_eq!((p.buffer, p.first, p.lba, p.sectors), (0, 0, 100, 32));
        let want = Write10 {
            lba: 100,
            blocks: 32,
            ..Write10::default()
        };
        assert_eq!(p.cdb, want.emit());
        rig.now += MS;
        rig.core.handle_writes([Completion::Good], rig.now);
        // The first buffer is handed back before the second round, which starts there.
        let r = rig.round();
        assert_eq!(rig.released, 1);
        let p = r.pieces()[0];
        assert_eq!((p.buffer, p.first, p.lba, p.sectors), (0, 0, 132, 32));
        rig.core.handle_writes([Completion::Good], rig.now);
        assert!(matches!(rig.next(), Action::Done));
        assert_eq!(rig.released, 2);
        assert_eq!(rig.core.last_written_lba(), 163);
        let end = rig.core.update(Phase::Finished, rig.now, rig.read);
        assert_eq!(
            (end.last_written_lba, end.remaining),
            (163, Some(Duration::ZERO))
        );
    }

    #[test]
    fn writes_are_sized_to_the_latency_budget_and_cut_across_buffers() {
        // 4x BD (8780 sectors/s): 128-sector WRITEs out of 512-sector buffers.
        let mut rig = Rig::new(section(1, 1024, 512, 8780));
        let lbas: Vec<_> = (0..8)
            .map(|_| rig.answer(MS, vec![Completion::Good])[0])
            .collect();
        let want: Vec<_> = (0..8).map(|i| (100 + 128 * i, 128)).collect();
        assert_eq!(lbas, want);
        assert!(matches!(rig.next(), Action::Done));
        // Four in flight share the budget: 32 sectors each, one round of four.
        let mut rig = Rig::new(section(4, 1024, 512, 8780));
        let first = rig.answer(MS, (0..4).map(|_| Completion::Good).collect());
        assert_eq!(first, [(100, 32), (132, 32), (164, 32), (196, 32)]);
    }

    #[test]
    fn only_the_good_prefix_of_a_pipelined_round_counts() {
        // Whole 32-sector buffers, four per round.
        let mut rig = Rig::new(section(4, 128, 32, 1000));
        let sent = rig.answer(
            MS,
            vec![
                Completion::Good,
                long_write(),
                Completion::Good,
                Completion::Good,
            ],
        );
        assert_eq!(sent, [(100, 32), (132, 32), (164, 32), (196, 32)]);
        // The GOOD after the refused WRITE is not counted: resent after the wait.
        assert_eq!(rig.core.last_written_lba(), 131);
        let again = rig.answer(MS, (0..3).map(|_| Completion::Good).collect());
        assert_eq!(again, [(132, 32), (164, 32), (196, 32)]);
        assert!(matches!(rig.next(), Action::Done));

        // A failure mid-round ends the section at the end of the GOOD prefix.
        let mut rig = Rig::new(section(4, 128, 32, 1000));
        rig.answer(
            MS,
            vec![
                Completion::Good,
                Completion::Good,
                fixed(0x3, 0x0C, 0x00),
                Completion::Good,
            ],
        );
        let e = rig.fail();
        assert_eq!(e.last_written_lba(), Some(163));
        let cdb = Write10 {
            lba: 164,
            blocks: 32,
            ..Write10::default()
        }
        .emit();
        let raw = vec![
            0x70, 0, 0x3, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x0C, 0x00, 0, 0, 0, 0,
        ];
        assert_eq!(
            e.hresult(),
            Error::sense(cdb, SenseInfo::from_raw(raw)).hresult()
        );
    }

    #[test]
    fn long_write_in_progress_waits_for_the_drain_time() {
        let mut rig = Rig::new(section(1, 64, 32, 1000));
        rig.capacity = Some(capacity(4 << 20, 0));
        rig.answer(MS, vec![long_write()]);
        let refused_at = rig.now;
        // 32 sectors at 1000 sectors/s: 32 ms, in 5 ms slices; polling starts at once.
        let resent = rig.round();
        assert_eq!(resent.pieces()[0].lba, 100);
        assert_eq!(rig.now - refused_at, 32 * MS);
        assert_eq!(rig.waits.first(), Some(&(refused_at + 5 * MS)));
        assert!(rig.waits.windows(2).all(|w| w[1] - w[0] <= 5 * MS));
        assert_eq!(rig.capacity_polls, 1);
        // Again, now that the drive buffer is known: a quarter of 4 MiB at 2 MB/s is
        // 512 ms, clamped to the longest busy wait.
        rig.now += MS;
        rig.core.handle_writes([long_write()], rig.now);
        let t = rig.now;
        rig.round();
        assert_eq!(rig.now - t, Timing::default().max_busy_wait);
        let u = rig.core.update(Phase::Writing, rig.now, rig.read);
        assert_eq!(u.device_busy_count, 2);
        assert_eq!(u.device_buffer.map(|d| d.capacity), Some(4 << 20));
    }

    #[test]
    fn other_operations_in_progress_back_off_until_a_sector_is_written() {
        // The rate does not size these waits: three refusals in a row back off
        // 10, 20, 40 ms.
        let mut rig = Rig::new(section(1, 64, 32, 1000));
        let mut waits = Vec::new();
        let mut r = rig.round();
        for _ in 0..3 {
            rig.core.handle_writes([fixed(0x2, 0x04, 0x07)], rig.now);
            let t = rig.now;
            r = rig.round();
            waits.push(rig.now - t);
        }
        assert_eq!(waits, [10 * MS, 20 * MS, 40 * MS]);
        assert_eq!(r.pieces()[0].lba, 100);
        // A GOOD round resets the backoff.
        rig.core.handle_writes([Completion::Good], rig.now);
        rig.round();
        rig.core.handle_writes([fixed(0x2, 0x04, 0x01)], rig.now);
        let t = rig.now;
        rig.round();
        assert_eq!(rig.now - t, 10 * MS);
        // NO SENSE reporting an operation in progress (0/00/16) is waited out too.
        rig.core.handle_writes([fixed(0x0, 0x00, 0x16)], rig.now);
        let t = rig.now;
        rig.round();
        assert_eq!(rig.now - t, 20 * MS);
    }

    #[test]
    fn aborted_command_is_resent_once_then_fails() {
        let mut rig = Rig::new(section(1, 64, 32, 1000));
        rig.answer(MS, vec![fixed(0xB, 0x47, 0x00)]);
        // Resent at once from the same LBA, no wait.
        let t = rig.now;
        let again = rig.answer(MS, vec![Completion::Good]);
        assert_eq!((again[0], rig.now - t), ((100, 32), MS));
        // A later sector gets its own retry...
        rig.answer(MS, vec![fixed(0xB, 0x00, 0x00)]);
        rig.answer(MS, vec![fixed(0xB, 0x00, 0x00)]);
        // ...but a second ABORTED COMMAND at the same sector is the error.
        let e = rig.fail();
        assert_eq!(e.last_written_lba(), Some(131));
        assert!(e.sense_info().is_some());
        assert!(rig.waits.is_empty());
    }

    #[test]
    fn other_answers_fail_with_the_last_lba_written() {
        for answer in [
            || fixed(0x3, 0x0C, 0x00),
            || fixed(0x5, 0x21, 0x00),
            || fixed(0x2, 0x3A, 0x00),
            || Completion::Status(ScsiStatus::ReservationConflict),
            || Completion::CheckCondition(vec![0x70]),
        ] {
            let mut rig = Rig::new(section(1, 96, 32, 1000));
            rig.answer(MS, vec![Completion::Good]);
            rig.answer(MS, vec![answer()]);
            let e = rig.fail();
            assert_eq!(e.last_written_lba(), Some(131));
            // Nothing is asked of the core after its end.
            assert!(matches!(rig.next(), Action::Done));
        }
        let mut rig = Rig::new(section(1, 96, 32, 1000));
        rig.answer(MS, vec![Completion::Status(ScsiStatus::Busy)]);
        let e = rig.fail();
        assert!(matches!(e.kind(), ErrorKind::Status(ScsiStatus::Busy)));
        assert_eq!(e.last_written_lba(), Some(99));
    }

    #[test]
    fn buffer_polling_starts_when_the_drive_throttles_and_stops_when_refused() {
        let mut rig = Rig::new(section(1, 320, 32, 1000));
        rig.capacity = Some(capacity(2 << 20, 1 << 20));
        // Fast rounds: the drive is not holding WRITEs back, so no READ BUFFER CAPACITY.
        rig.answer(MS, vec![Completion::Good]);
        rig.answer(MS, vec![Completion::Good]);
        assert_eq!(rig.capacity_polls, 0);
        // 32 sectors taking 20 ms (over half their 32 ms at 1000/s): throttled, so the
        // tick after that round polls.
        rig.answer(20 * MS, vec![Completion::Good]);
        assert_eq!(rig.capacity_polls, 0);
        rig.answer(20 * MS, vec![Completion::Good]);
        assert_eq!(rig.capacity_polls, 1);
        // Not again within the 250 ms poll period...
        rig.answer(20 * MS, vec![Completion::Good]);
        assert_eq!(rig.capacity_polls, 1);
        rig.now += 250 * MS;
        rig.answer(20 * MS, vec![Completion::Good]);
        assert_eq!(rig.capacity_polls, 2);
        let d = rig.core.update(Phase::Writing, rig.now, rig.read);
        assert_eq!(
            d.device_buffer.map(|b| (b.capacity, b.free)),
            Some((2 << 20, 1 << 20))
        );
        // A drive refusing it is not asked again.
        rig.capacity = None;
        rig.now += 250 * MS;
        rig.answer(20 * MS, vec![Completion::Good]);
        assert_eq!(rig.capacity_polls, 3);
        for _ in 0..3 {
            rig.now += 250 * MS;
            rig.answer(20 * MS, vec![Completion::Good]);
        }
        assert_eq!(rig.capacity_polls, 3);
    }

    #[test]
    fn events_follow_the_event_period() {
        let mut rig = Rig::new(section(1, 32 * 40, 32, 1000));
        // A round every 30 ms: events at the first tick at or after each 100 ms (the
        // 13th round's start runs the 12th's tick).
        for _ in 0..13 {
            rig.answer(30 * MS, vec![Completion::Good]);
        }
        let at: Vec<_> = rig.events.iter().map(|u| (u.sequence, u.elapsed)).collect();
        assert_eq!(at, [(1, 120 * MS), (2, 240 * MS), (3, 360 * MS)]);
        assert!(rig.events.iter().all(|u| u.phase == Phase::Writing));
        assert_eq!(rig.events[0].last_written_lba, 100 + 4 * 32 - 1);
        // 128 sectors in the 120 ms since the Starting event.
        assert!((rig.events[0].current_sectors_per_second - 128.0 / 0.12).abs() < 1e-6);
    }

    #[test]
    fn waiting_for_the_source_ticks_and_names_its_phase() {
        let mut rig = Rig::new(section(1, 64, 32, 1000));
        rig.source.truncate(0);
        for i in 1..=30 {
            match rig.core.poll(rig.now, 0) {
                Action::Receive(None) => rig.core.handle_receive(Received::Empty),
                Action::Receive(Some(d)) => {
                    assert_eq!(d, Timing::default().wait_slice);
                    rig.now += 5 * MS;
                    rig.core.handle_receive(Received::Empty);
                }
                Action::Emit(u) => {
                    assert_eq!(u.phase, Phase::WaitingForSource);
                    assert!(i > 20, "event before the period at {:?}", rig.now);
                    rig.source.push_back((32, None));
                    break;
                }
                a => panic!("{a:?}"),
            }
        }
        assert_eq!(rig.source.len(), 1);
        // The buffer arrives: writing resumes, in the phase before.
        rig.answer(MS, vec![Completion::Good]);
        let u = rig.core.update(rig.core.phase, rig.now, rig.read);
        assert_eq!(u.phase, Phase::Writing);
        // The reader gone while waiting fails the section.
        let mut rig = Rig::new(section(1, 64, 32, 1000));
        assert!(matches!(rig.core.poll(rig.now, 0), Action::Receive(None)));
        rig.core.handle_receive(Received::Gone);
        let e = rig.fail();
        assert!(matches!(e.kind(), ErrorKind::Source(_)));
    }

    #[test]
    fn a_short_source_ends_after_its_last_sector() {
        let mut rig = Rig::new(section(1, 64, 32, 1000));
        rig.source = [(10, Some(SourceEnd::Eof))].into();
        assert_eq!(rig.answer(MS, vec![Completion::Good]), [(100, 10)]);
        let e = rig.fail();
        assert!(matches!(e.kind(), ErrorKind::SourceExhausted { lba: 110 }));
        assert_eq!(e.last_written_lba(), Some(109));
    }

    #[test]
    fn the_watchdog_ends_a_drive_that_accepts_nothing() {
        let mut s = section(1, 64, 32, 1000);
        s.timing.no_progress_timeout = Duration::from_secs(1);
        let mut rig = Rig::new(s);
        let mut refusals = 0;
        let e = loop {
            match rig.next() {
                Action::Write => {
                    refusals += 1;
                    rig.core.handle_writes([long_write()], rig.now);
                }
                Action::Fail(e) => break e,
                a => panic!("{a:?}"),
            }
        };
        // Checked between the wait's 5 ms slices.
        let limit = Duration::from_secs(1);
        assert!(matches!(e.kind(), ErrorKind::NoProgress(d) if *d >= limit && *d < limit + 5 * MS));
        assert!(rig.now >= limit && rig.now < limit + 5 * MS);
        assert!(refusals > 1);
        assert_eq!(e.last_written_lba(), Some(99));
    }

    #[test]
    fn cancel_is_honoured_between_rounds_and_in_waits_and_owes_a_flush() {
        let mut rig = Rig::new(section(1, 64, 32, 1000));
        rig.core.handle_cancel();
        assert!(rig.fail().is_cancelled());
        // Nothing was sent: nothing to flush.
        assert_eq!(rig.core.sync_after_cancel(), None);

        let mut rig = Rig::new(section(1, 64, 32, 1000));
        rig.answer(MS, vec![long_write()]);
        // In the wait: one slice, then the cancel.
        assert!(matches!(
            rig.core.poll(rig.now, rig.read),
            Action::ReadBufferCapacity
        ));
        rig.core.handle_buffer_capacity(None);
        assert!(matches!(
            rig.core.poll(rig.now, rig.read),
            Action::WaitUntil(_)
        ));
        rig.core.handle_cancel();
        let e = rig.fail();
        assert!(e.is_cancelled());
        assert_eq!(e.last_written_lba(), Some(99));
        let sync = rig.core.sync_after_cancel().expect("a WRITE was sent");
        assert!(sync.immed);
    }
}
