//! The iSCSI session and its one connection as a sans-I/O state machine (after
//! quinn-proto): it never touches a socket or a clock.
//!
//! The caller feeds it received bytes with [`Session::handle_input`] and the current time
//! (`now`, from `discburn_mmc::clock`), drains what to send with
//! [`Session::poll_transmit`], learns what happened from [`Session::poll_event`], and
//! calls [`Session::handle_timeout`] once [`Session::poll_timeout`] has passed.
//!
//! Implemented (RFC 7143): login with SecurityNegotiation (AuthMethod None or one-way
//! CHAP/MD5) and LoginOperationalNegotiation; SCSI Command with immediate, unsolicited
//! and R2T-solicited Data-Out; Data-In with status; SCSI Response with sense;
//! NOP-In/NOP-Out both ways; ABORT TASK on timeout or cancel; Logout; CmdSN windowing
//! with several commands in flight. ErrorRecoveryLevel is 0: any protocol violation
//! fails the session, every outstanding task reports it, and the caller may log in again.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use tracing::{debug, trace, warn};

use crate::params::Negotiated;
use crate::pdu::{
    self, stage, tmf, Decoder, Digests, Frame, LogoutRequest, NopOut, Pdu, TaskMgmtRequest,
    BHS_LEN, RESERVED_TAG,
};

mod login;
mod tasks;
mod types;

pub use types::{
    ChapCredentials, Event, LoginError, SessionConfig, SessionError, SubmitError, TaskData,
    TaskError, TaskResult, TaskTag,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecStep {
    Offered,
    ChapAlgorithm,
    ChapResponse,
}

#[derive(Debug)]
struct LoginState {
    itt: u32,
    csg: u8,
    step: SecStep,
    text: Vec<u8>,
    rounds: u32,
    deadline: Duration,
    chose_chap: bool,
}

#[derive(Debug)]
enum Phase {
    Login(LoginState),
    FullFeature,
    LoggingOut { itt: u32, deadline: Duration },
    LoggedOut,
    Failed(SessionError),
}

#[derive(Debug)]
enum TaskState {
    Queued,
    Active,
    Aborting {
        deadline: Duration,
        reason: TaskError,
    },
}

#[derive(Debug)]
enum Dir {
    None,
    In {
        buf: Vec<u8>,
        received: usize,
        next_datasn: u32,
    },
    Out {
        data: Vec<u8>,
        next_offset: u32,
        next_r2tsn: u32,
    },
}

#[derive(Debug)]
struct Task {
    lun: [u8; 8],
    cdb: [u8; 16],
    cmdsn: u32,
    timeout: Duration,
    deadline: Duration,
    state: TaskState,
    dir: Dir,
}

impl Task {
    fn edtl(&self) -> u32 {
        match &self.dir {
            Dir::None => 0,
            Dir::In { buf, .. } => buf.len() as u32,
            Dir::Out { data, .. } => data.len() as u32,
        }
    }
}

#[derive(Debug)]
struct Ping {
    itt: u32,
    deadline: Duration,
}

/// One PDU waiting to be sent; `itt` marks Data-Out that is dropped if its task ends.
#[derive(Debug)]
struct Tx {
    itt: Option<u32>,
    bytes: Vec<u8>,
}

/// Most login request/response round trips before giving up.
const MAX_LOGIN_ROUNDS: u32 = 16;
/// Most login text accumulated over continued (C bit) responses.
const MAX_LOGIN_TEXT: usize = 64 * 1024;

/// Serial number arithmetic (RFC 1982), 32 bits: `a < b`.
pub fn serial_lt(a: u32, b: u32) -> bool {
    a != b && (b.wrapping_sub(a) as i32) > 0
}

/// Serial number arithmetic: `a > b`.
pub fn serial_gt(a: u32, b: u32) -> bool {
    serial_lt(b, a)
}

/// Name of a login Status-Class/Status-Detail (RFC 7143 §11.13.5).
pub fn login_status_name(class: u8, detail: u8) -> &'static str {
    match (class, detail) {
        (0, _) => "success",
        (1, 1) => "target moved temporarily",
        (1, 2) => "target moved permanently",
        (1, _) => "redirection",
        (2, 0) => "initiator error",
        (2, 1) => "authentication failure",
        (2, 2) => "authorization failure",
        (2, 3) => "target not found",
        (2, 4) => "target removed",
        (2, 5) => "unsupported version",
        (2, 6) => "too many connections",
        (2, 7) => "missing parameter",
        (2, 8) => "cannot include in session",
        (2, 9) => "session type not supported",
        (2, 10) => "session does not exist",
        (2, 11) => "invalid request during login",
        (2, _) => "initiator error",
        (3, 0) => "target error",
        (3, 1) => "service unavailable",
        (3, 2) => "out of resources",
        _ => "unknown status",
    }
}

fn reject_reason_name(r: u8) -> &'static str {
    match r {
        0x02 => "data (payload) digest error",
        0x03 => "SNACK reject",
        0x04 => "protocol error",
        0x05 => "command not supported",
        0x06 => "immediate command reject",
        0x07 => "task in progress",
        0x08 => "invalid data ack",
        0x09 => "invalid PDU field",
        0x0a => "long operation reject",
        0x0b => "negotiation reset",
        0x0c => "waiting for logout",
        _ => "reserved reason",
    }
}

fn proto(msg: impl Into<String>) -> SessionError {
    SessionError::Protocol(msg.into())
}

/// The sans-I/O iSCSI session (one connection, ErrorRecoveryLevel 0).
#[derive(Debug)]
pub struct Session {
    cfg: SessionConfig,
    phase: Phase,
    decoder: Decoder,
    digests: Digests,
    negotiated: Negotiated,
    tsih: u16,
    cmdsn: u32,
    exp_cmdsn: u32,
    max_cmdsn: u32,
    exp_statsn: u32,
    next_itt: u32,
    tasks: BTreeMap<u32, Task>,
    queued: VecDeque<u32>,
    tmfs: BTreeMap<u32, u32>,
    ping: Option<Ping>,
    last_rx: Duration,
    tx: VecDeque<Tx>,
    events: VecDeque<Event>,
}

impl Session {
    /// Starts a login (the first Login Request is ready in [`Session::poll_transmit`]).
    pub fn new(cfg: SessionConfig, now: Duration) -> Session {
        let negotiated = Negotiated::defaults(&cfg.offer);
        let mut s = Session {
            phase: Phase::LoggedOut,
            decoder: Decoder::new(),
            digests: Digests::default(),
            negotiated,
            tsih: 0,
            cmdsn: 1,
            exp_cmdsn: 1,
            max_cmdsn: 1,
            exp_statsn: 0,
            next_itt: 1,
            tasks: BTreeMap::new(),
            queued: VecDeque::new(),
            tmfs: BTreeMap::new(),
            ping: None,
            last_rx: now,
            tx: VecDeque::new(),
            events: VecDeque::new(),
            cfg,
        };
        let itt = s.alloc_itt();
        s.phase = Phase::Login(LoginState {
            itt,
            csg: stage::SECURITY,
            step: SecStep::Offered,
            text: Vec::new(),
            rounds: 0,
            deadline: now.saturating_add(s.cfg.login_timeout),
            chose_chap: false,
        });
        let mut keys: Vec<(String, String)> = vec![
            ("InitiatorName".into(), s.cfg.initiator_name.clone()),
            ("SessionType".into(), "Normal".into()),
            ("TargetName".into(), s.cfg.target_name.clone()),
        ];
        let none_only = s.cfg.chap.is_none();
        keys.push((
            "AuthMethod".into(),
            if none_only { "None" } else { "CHAP,None" }.into(),
        ));
        // With AuthMethod=None alone we may ask to move on at once.
        s.send_login(stage::SECURITY, stage::OPERATIONAL, none_only, &keys);
        s
    }

    /// The configuration this session runs with.
    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    /// True once login has finished and until logout or failure.
    pub fn is_logged_in(&self) -> bool {
        matches!(self.phase, Phase::FullFeature)
    }

    /// The failure, if the session failed.
    pub fn failure(&self) -> Option<&SessionError> {
        match &self.phase {
            Phase::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// True after logout completed or the session failed: nothing more will happen.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Failed(_) | Phase::LoggedOut)
    }

    /// Parameters in force (RFC defaults until login has finished).
    pub fn negotiated(&self) -> &Negotiated {
        &self.negotiated
    }

    /// The TSIH the target assigned (0 before login finishes).
    pub fn tsih(&self) -> u16 {
        self.tsih
    }

    /// How many more non-immediate commands the target's window admits now
    /// (MaxCmdSN − CmdSN + 1, RFC 7143 §4.2.2.1).
    pub fn window(&self) -> u32 {
        if serial_gt(self.cmdsn, self.max_cmdsn) {
            0
        } else {
            self.max_cmdsn.wrapping_sub(self.cmdsn).wrapping_add(1)
        }
    }

    /// The command queue depth the target advertises: MaxCmdSN − ExpCmdSN + 1.
    pub fn queue_depth(&self) -> u32 {
        if serial_lt(self.max_cmdsn, self.exp_cmdsn) {
            0
        } else {
            self.max_cmdsn.wrapping_sub(self.exp_cmdsn).wrapping_add(1)
        }
    }

    /// Commands submitted and not yet completed (queued or at the target).
    pub fn outstanding(&self) -> usize {
        self.tasks.len()
    }

    /// Tags of the commands submitted and not yet completed.
    pub fn outstanding_tags(&self) -> Vec<TaskTag> {
        self.tasks.keys().map(|&t| TaskTag(t)).collect()
    }

    /// Next PDU to send, already framed with the digests in force.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.tx.pop_front().map(|t| t.bytes)
    }

    /// True when PDUs wait to be sent.
    pub fn has_transmit(&self) -> bool {
        !self.tx.is_empty()
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] must next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let mut t: Option<Duration> = None;
        let mut at = |d: Duration| t = Some(t.map_or(d, |x| x.min(d)));
        match &self.phase {
            Phase::Login(l) => at(l.deadline),
            Phase::LoggingOut { deadline, .. } => at(*deadline),
            Phase::FullFeature => {}
            Phase::LoggedOut | Phase::Failed(_) => return None,
        }
        for task in self.tasks.values() {
            match &task.state {
                TaskState::Aborting { deadline, .. } => at(*deadline),
                _ => at(task.deadline),
            }
        }
        if let Some(p) = &self.ping {
            at(p.deadline);
        } else if !self.tasks.is_empty() {
            at(self.last_rx.saturating_add(self.cfg.nop_interval));
        }
        t
    }

    /// Acts on every deadline that has passed at `now`.
    pub fn handle_timeout(&mut self, now: Duration) {
        match &self.phase {
            Phase::Login(l) if now >= l.deadline => {
                return self.fail(SessionError::Timeout("login"))
            }
            Phase::LoggingOut { deadline, .. } if now >= *deadline => {
                return self.fail(SessionError::Timeout("logout"))
            }
            Phase::LoggedOut | Phase::Failed(_) => return,
            _ => {}
        }
        if let Some(p) = &self.ping {
            if now >= p.deadline {
                return self.fail(SessionError::Timeout("NOP-Out ping (keep-alive)"));
            }
        }
        let mut expired = Vec::new();
        for (&itt, task) in &self.tasks {
            match &task.state {
                TaskState::Aborting { deadline, .. } if now >= *deadline => {
                    return self.fail(SessionError::Timeout("ABORT TASK"));
                }
                TaskState::Aborting { .. } => {}
                _ if now >= task.deadline => expired.push((itt, task.timeout)),
                _ => {}
            }
        }
        for (itt, timeout) in expired {
            debug!(itt, ?timeout, "task timed out; aborting");
            self.abort_task(itt, TaskError::Timeout(timeout), now);
        }
        if self.ping.is_none()
            && !self.tasks.is_empty()
            && matches!(self.phase, Phase::FullFeature)
            && now >= self.last_rx.saturating_add(self.cfg.nop_interval)
        {
            self.ping(now);
        }
    }

    /// The transport saw the connection close or fail.
    pub fn connection_lost(&mut self, reason: impl Into<String>) {
        if !self.is_closed() {
            self.fail(SessionError::ConnectionLost(reason.into()));
        }
    }

    /// Feeds bytes received from the target.
    pub fn handle_input(&mut self, bytes: &[u8], now: Duration) {
        if self.is_closed() {
            return;
        }
        self.decoder.push(bytes);
        loop {
            match self.decoder.next_frame() {
                Ok(Some(frame)) => {
                    self.last_rx = now;
                    if let Err(e) = self.handle_frame(frame, now) {
                        warn!(error = %e, "iSCSI session failed");
                        self.fail(e);
                    }
                    if self.is_closed() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => return self.fail(SessionError::Pdu(e)),
            }
        }
    }

    /// Submits a SCSI command for `lun`. It is sent at once if the target's CmdSN window
    /// admits it, else when the window opens; its deadline is `now + timeout`.
    pub fn submit(
        &mut self,
        lun: u16,
        cdb: &[u8],
        data: TaskData,
        timeout: Duration,
        now: Duration,
    ) -> Result<TaskTag, SubmitError> {
        match &self.phase {
            Phase::FullFeature => {}
            Phase::Login(_) => return Err(SubmitError::NotLoggedIn),
            Phase::Failed(e) => return Err(SubmitError::Down(e.to_string())),
            Phase::LoggingOut { .. } | Phase::LoggedOut => {
                return Err(SubmitError::Down("logged out".into()))
            }
        }
        if !(6..=16).contains(&cdb.len()) {
            return Err(SubmitError::CdbLength(cdb.len()));
        }
        let len = match &data {
            TaskData::None => 0,
            TaskData::In(n) => *n,
            TaskData::Out(d) => d.len(),
        };
        if u32::try_from(len).is_err() {
            return Err(SubmitError::TooLarge(len));
        }
        let mut c = [0u8; 16];
        c[..cdb.len()].copy_from_slice(cdb);
        let dir = match data {
            TaskData::None => Dir::None,
            TaskData::In(n) => Dir::In {
                buf: vec![0; n],
                received: 0,
                next_datasn: 0,
            },
            TaskData::Out(d) => Dir::Out {
                data: d,
                next_offset: 0,
                next_r2tsn: 0,
            },
        };
        let itt = self.alloc_itt();
        if self.tasks.is_empty() {
            // Silence before this command is not the target's fault.
            self.last_rx = now;
        }
        self.tasks.insert(
            itt,
            Task {
                lun: pdu::encode_lun(lun),
                cdb: c,
                cmdsn: 0,
                timeout,
                deadline: now.saturating_add(timeout),
                state: TaskState::Queued,
                dir,
            },
        );
        self.queued.push_back(itt);
        self.send_queued();
        Ok(TaskTag(itt))
    }

    /// Aborts a task (cancel): ABORT TASK if it reached the target, else at once.
    /// It completes with [`TaskError::Aborted`] (or its real result, if that arrives
    /// first). Unknown or already aborting tasks are left alone.
    pub fn abort(&mut self, tag: TaskTag, now: Duration) {
        if matches!(self.phase, Phase::FullFeature) {
            self.abort_task(tag.0, TaskError::Aborted("cancelled".into()), now);
        }
    }

    /// Sends a NOP-Out ping; the answer is [`Event::PingAnswered`]. Returns `None` when
    /// not logged in or a ping is already outstanding.
    pub fn ping(&mut self, now: Duration) -> Option<TaskTag> {
        if !matches!(self.phase, Phase::FullFeature) || self.ping.is_some() {
            return None;
        }
        let itt = self.alloc_itt();
        let p = Pdu::NopOut(NopOut {
            immediate: true,
            lun: [0; 8],
            itt,
            ttt: RESERVED_TAG,
            cmdsn: self.cmdsn,
            exp_statsn: self.exp_statsn,
        });
        self.push(None, &p, &[]);
        self.ping = Some(Ping {
            itt,
            deadline: now.saturating_add(self.cfg.nop_timeout),
        });
        Some(TaskTag(itt))
    }

    /// Starts a logout (close the session). Outstanding tasks complete as aborted.
    pub fn logout(&mut self, now: Duration) {
        if !matches!(self.phase, Phase::FullFeature) {
            return;
        }
        let itts: Vec<u32> = self.tasks.keys().copied().collect();
        for itt in itts {
            self.complete(itt, Err(TaskError::Aborted("logged out".into())));
        }
        let itt = self.alloc_itt();
        let p = Pdu::LogoutRequest(LogoutRequest {
            immediate: true,
            reason: 0,
            itt,
            cid: 0,
            cmdsn: self.cmdsn,
            exp_statsn: self.exp_statsn,
        });
        self.push(None, &p, &[]);
        self.phase = Phase::LoggingOut {
            itt,
            deadline: now.saturating_add(self.cfg.nop_timeout),
        };
    }

    // ----- internals -----

    fn alloc_itt(&mut self) -> u32 {
        loop {
            let itt = self.next_itt;
            self.next_itt = self.next_itt.wrapping_add(1);
            if itt != RESERVED_TAG
                && !self.tasks.contains_key(&itt)
                && !self.tmfs.contains_key(&itt)
            {
                return itt;
            }
        }
    }

    fn push(&mut self, itt: Option<u32>, p: &Pdu, data: &[u8]) {
        trace!(op = ?p.opcode(), len = data.len(), "tx");
        self.tx.push_back(Tx {
            itt,
            bytes: pdu::encode_to_vec(p, data, self.digests),
        });
    }

    fn fail(&mut self, e: SessionError) {
        if self.is_closed() {
            return;
        }
        let te = e.task_error();
        let itts: Vec<u32> = self.tasks.keys().copied().collect();
        for itt in itts {
            self.complete(itt, Err(te.clone()));
        }
        self.tx.clear();
        self.ping = None;
        self.tmfs.clear();
        self.events.push_back(Event::Failed(e.clone()));
        self.phase = Phase::Failed(e);
    }

    fn complete(&mut self, itt: u32, outcome: Result<TaskResult, TaskError>) {
        if self.tasks.remove(&itt).is_none() {
            return;
        }
        self.queued.retain(|&q| q != itt);
        // Data-Out still waiting for this task must not reach the target.
        self.tx.retain(|t| t.itt != Some(itt));
        self.events.push_back(Event::TaskDone {
            tag: TaskTag(itt),
            outcome,
        });
    }

    fn abort_task(&mut self, itt: u32, reason: TaskError, now: Duration) {
        let Some(task) = self.tasks.get_mut(&itt) else {
            return;
        };
        match task.state {
            TaskState::Queued => self.complete(itt, Err(reason)),
            TaskState::Aborting { .. } => {}
            TaskState::Active => {
                let (lun, ref_cmdsn) = (task.lun, task.cmdsn);
                let exp_datasn = match &task.dir {
                    Dir::In { next_datasn, .. } => *next_datasn,
                    _ => 0,
                };
                let tmf_itt = self.alloc_itt();
                let task = self.tasks.get_mut(&itt).expect("present above");
                task.state = TaskState::Aborting {
                    deadline: now.saturating_add(self.cfg.tmf_timeout),
                    reason,
                };
                self.tmfs.insert(tmf_itt, itt);
                // Nothing more of this task's data goes out.
                self.tx.retain(|t| t.itt != Some(itt));
                let p = Pdu::TaskMgmtRequest(TaskMgmtRequest {
                    immediate: true,
                    function: tmf::ABORT_TASK,
                    lun,
                    itt: tmf_itt,
                    referenced_task_tag: itt,
                    cmdsn: self.cmdsn,
                    exp_statsn: self.exp_statsn,
                    ref_cmdsn,
                    exp_datasn,
                });
                self.push(None, &p, &[]);
            }
        }
    }

    fn send_queued(&mut self) {
        while !serial_gt(self.cmdsn, self.max_cmdsn) {
            let Some(itt) = self.queued.pop_front() else {
                return;
            };
            self.send_command(itt);
        }
    }

    fn update_window(&mut self, exp: u32, max: u32) -> Result<(), SessionError> {
        // RFC 7143 §4.2.2.1: MaxCmdSN < ExpCmdSN − 1 means both are to be ignored.
        if serial_lt(max, exp.wrapping_sub(1)) {
            return Ok(());
        }
        if serial_gt(exp, self.cmdsn) {
            return Err(proto(format!(
                "ExpCmdSN {exp} acknowledges commands never sent (next CmdSN {})",
                self.cmdsn
            )));
        }
        if serial_gt(exp, self.exp_cmdsn) {
            self.exp_cmdsn = exp;
        }
        if serial_gt(max, self.max_cmdsn) {
            self.max_cmdsn = max;
        }
        Ok(())
    }

    /// A status-bearing PDU must carry exactly the next StatSN (ERL 0: no gaps).
    fn take_statsn(&mut self, statsn: u32, what: &str) -> Result<(), SessionError> {
        if statsn != self.exp_statsn {
            return Err(proto(format!(
                "{what} has StatSN {statsn}, expected {}",
                self.exp_statsn
            )));
        }
        self.exp_statsn = self.exp_statsn.wrapping_add(1);
        Ok(())
    }

    /// StatSN of PDUs where targets differ (NOP-In, Async, Reject): advance when it is
    /// the next one, otherwise leave ExpStatSN alone.
    fn soft_statsn(&mut self, statsn: u32) {
        if statsn == self.exp_statsn {
            self.exp_statsn = self.exp_statsn.wrapping_add(1);
        }
    }

    fn handle_frame(&mut self, frame: Frame, now: Duration) -> Result<(), SessionError> {
        let p = frame.pdu()?;
        trace!(op = ?p.opcode(), len = frame.data.len(), "rx");
        if matches!(self.phase, Phase::Login(_)) {
            return match p {
                Pdu::LoginResponse(r) => self.handle_login(r, &frame.data, now),
                other => {
                    Err(LoginError::Protocol(format!("{:?} during login", other.opcode())).into())
                }
            };
        }
        match p {
            Pdu::NopIn(n) => {
                self.update_window(n.exp_cmdsn, n.max_cmdsn)?;
                if n.itt != RESERVED_TAG {
                    match &self.ping {
                        Some(ping) if ping.itt == n.itt => {
                            self.soft_statsn(n.statsn);
                            self.ping = None;
                            self.events.push_back(Event::PingAnswered(TaskTag(n.itt)));
                        }
                        _ => return Err(proto(format!("NOP-In for unknown ITT {:#x}", n.itt))),
                    }
                } else if n.ttt != RESERVED_TAG {
                    // The target pings: answer with its TTT and echo its data.
                    let max = self.negotiated.max_xmit_data_segment_length as usize;
                    let echo = &frame.data[..frame.data.len().min(max)];
                    let p = Pdu::NopOut(NopOut {
                        immediate: true,
                        lun: n.lun,
                        itt: RESERVED_TAG,
                        ttt: n.ttt,
                        cmdsn: self.cmdsn,
                        exp_statsn: self.exp_statsn,
                    });
                    self.push(None, &p, echo);
                }
                Ok(())
            }
            Pdu::ScsiResponse(r) => self.handle_response(r, &frame.data),
            Pdu::DataIn(d) => self.handle_data_in(d, &frame.data),
            Pdu::R2t(r) => {
                self.update_window(r.exp_cmdsn, r.max_cmdsn)?;
                self.handle_r2t(r)
            }
            Pdu::TaskMgmtResponse(t) => {
                self.take_statsn(t.statsn, "Task Management Response")?;
                self.update_window(t.exp_cmdsn, t.max_cmdsn)?;
                let Some(task_itt) = self.tmfs.remove(&t.itt) else {
                    return Err(proto(format!(
                        "Task Management Response for unknown ITT {:#x}",
                        t.itt
                    )));
                };
                match t.response {
                    // Function complete, or the task is already gone.
                    0 | 1 => {
                        if let Some(Task {
                            state: TaskState::Aborting { reason, .. },
                            ..
                        }) = self.tasks.get(&task_itt)
                        {
                            let reason = reason.clone();
                            self.complete(task_itt, Err(reason));
                        }
                        Ok(())
                    }
                    other => Err(proto(format!(
                        "ABORT TASK refused with response {other}; the task may still run"
                    ))),
                }
            }
            Pdu::LogoutResponse(l) => match self.phase {
                Phase::LoggingOut { itt, .. } if itt == l.itt => {
                    self.take_statsn(l.statsn, "Logout Response")?;
                    self.phase = Phase::LoggedOut;
                    self.events.push_back(Event::LoggedOut);
                    Ok(())
                }
                _ => Err(proto("unexpected Logout Response")),
            },
            Pdu::AsyncMessage(a) => {
                self.update_window(a.exp_cmdsn, a.max_cmdsn)?;
                self.soft_statsn(a.statsn);
                match a.event {
                    1 => self.events.push_back(Event::LogoutRequested),
                    2 | 3 => return Err(SessionError::TargetDropped(a.event)),
                    other => debug!(event = other, "async message ignored"),
                }
                Ok(())
            }
            Pdu::Reject(r) => {
                self.update_window(r.exp_cmdsn, r.max_cmdsn)?;
                self.soft_statsn(r.statsn);
                let why = format!("PDU rejected: {}", reject_reason_name(r.reason));
                if r.reason == 0x02 {
                    // A lost Data-Out cannot be recovered at ERL 0.
                    return Err(proto(why));
                }
                if frame.data.len() >= BHS_LEN {
                    let itt = pdu::Bhs::new_unchecked(&frame.data[..]).itt();
                    if self.tasks.contains_key(&itt) {
                        self.complete(itt, Err(TaskError::Target(why)));
                        return Ok(());
                    }
                    if self.ping.as_ref().is_some_and(|p| p.itt == itt) {
                        self.ping = None;
                    }
                }
                warn!(reason = r.reason, "{why}");
                Ok(())
            }
            Pdu::LoginResponse(_) => Err(proto("Login Response in full feature phase")),
            other => Err(proto(format!(
                "initiator opcode {:?} received from the target",
                other.opcode()
            ))),
        }
    }
}
