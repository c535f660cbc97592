//! One target connection (and its one-connection session) as a sans-I/O state machine.
//!
//! The I/O loop feeds received bytes with [`TargetConnection::receive`], takes the
//! commands ready to run with [`TargetConnection::next_command`], runs each CDB on its
//! LUN and hands the result back with [`TargetConnection::complete`], sends what
//! [`TargetConnection::take_output`] returns, and calls
//! [`TargetConnection::handle_timeout`] once [`TargetConnection::poll_timeout`] has
//! passed. Commands run in the order they arrived (one drive does one thing at a time).
//!
//! Memory is bounded by the configuration: data segments by our
//! MaxRecvDataSegmentLength, one command's data by `max_transfer`, unsolicited data by
//! FirstBurstLength per command, the queue by the CmdSN window, and solicited data is
//! asked for (R2T) for one command at a time.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use crate::pdu::{
    self, stage, tmf, DataIn, DataOut, Decoder, Digests, Frame, LoginRequest, LogoutRequest,
    LogoutResponse, NopIn, NopOut, Pdu, R2t, Reject, ScsiCommand, ScsiResponse, TaskMgmtRequest,
    TaskMgmtResponse, TextRequest, TextResponse, BHS_LEN, RESERVED_TAG,
};
use crate::text;
use discburn_mmc::sense::{Asc, Sense, SenseKey};

use super::login::{self, Login, Outcome, SessionType};
use super::negotiate::Negotiated;
use super::{decode_lun, TargetConfig};

/// Reject reasons (RFC 7143 §11.17.1).
mod reject {
    pub const PROTOCOL_ERROR: u8 = 0x04;
    pub const COMMAND_NOT_SUPPORTED: u8 = 0x05;
    pub const INVALID_PDU_FIELD: u8 = 0x09;
}

/// SCSI status bytes this module answers itself (SAM-5 §5.3.1).
const GOOD: u8 = 0x00;
const CHECK_CONDITION: u8 = 0x02;
const TASK_SET_FULL: u8 = 0x28;

/// Longest text request accepted across continued PDUs.
const MAX_TEXT: usize = 64 * 1024;

/// Where the connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Logging in.
    Login,
    /// Full feature phase of a normal session.
    FullFeature,
    /// Full feature phase of a discovery session (SendTargets, Logout).
    Discovery,
    /// Closed: send what is left in the output, then close the socket.
    Closed,
}

/// A SCSI command ready to run on a LUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The task (the initiator's task tag); pass it back to [`TargetConnection::complete`].
    pub task: u32,
    /// The LUN, one the configuration has.
    pub lun: u16,
    /// The CDB, cut to its group's length (6, 10, 12 or 16 bytes).
    pub cdb: Vec<u8>,
    /// Data the initiator sent (empty unless a write).
    pub data_out: Vec<u8>,
    /// Bytes the initiator expects back (0 unless a read).
    pub data_in_len: usize,
}

/// How a command ended on its LUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskResult {
    /// SCSI status byte.
    pub status: u8,
    /// Sense data (with CHECK CONDITION).
    pub sense: Vec<u8>,
    /// Data for the initiator (reads), at most `data_in_len` bytes are sent.
    pub data: Vec<u8>,
}

#[derive(Debug)]
struct Task {
    itt: u32,
    lun_field: [u8; 8],
    lun: u16,
    cdb: Vec<u8>,
    edtl: u32,
    read: bool,
    write: bool,
    data: Vec<u8>,
    /// Unsolicited Data-Out may still come (the command's F bit was 0).
    unsolicited_open: bool,
    /// The outstanding R2T: its TTT, offset and length.
    r2t: Option<(u32, u32, u32)>,
    r2tsn: u32,
    issued: bool,
}

impl Task {
    fn ready(&self) -> bool {
        !self.write || self.data.len() as u64 == u64::from(self.edtl)
    }
}

/// One connection of the target.
#[derive(Debug)]
pub struct TargetConnection {
    config: Arc<TargetConfig>,
    state: ConnectionState,
    login: Login,
    neg: Negotiated,
    decoder: Decoder,
    digests: Digests,
    out: Vec<u8>,
    statsn: u32,
    exp_cmdsn: u32,
    tasks: VecDeque<Task>,
    next_ttt: u32,
    text: Vec<u8>,
    started: Duration,
    last_rx: Duration,
    /// The outstanding ping: its TTT and when it stops being waited for.
    ping: Option<(u32, Option<Duration>)>,
    close_reason: Option<String>,
}

impl TargetConnection {
    /// A new connection accepted at `now`, for a session that will get `tsih`;
    /// `challenge` is its random CHAP challenge (its first byte is the CHAP_I).
    pub fn new(config: Arc<TargetConfig>, tsih: u16, challenge: [u8; 16], now: Duration) -> Self {
        let login = Login::new(&config, tsih, challenge);
        let neg = login.negotiated;
        TargetConnection {
            state: ConnectionState::Login,
            login,
            neg,
            decoder: Decoder::new(),
            digests: Digests::default(),
            out: Vec::new(),
            statsn: 1,
            exp_cmdsn: 0,
            tasks: VecDeque::new(),
            next_ttt: 1,
            text: Vec::new(),
            started: now,
            last_rx: now,
            ping: None,
            close_reason: None,
            config,
        }
    }

    /// Where the connection is.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// Why the connection closed, when it did.
    pub fn close_reason(&self) -> Option<&str> {
        self.close_reason.as_deref()
    }

    /// The initiator's name, once it logged in.
    pub fn initiator_name(&self) -> Option<&str> {
        self.login.initiator_name.as_deref()
    }

    /// Bytes to send, in order; empties the output.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Bytes waiting to be sent.
    pub fn output_len(&self) -> usize {
        self.out.len()
    }

    fn close(&mut self, why: impl Into<String>) {
        if self.state != ConnectionState::Closed {
            let why = why.into();
            tracing::debug!("iSCSI connection closing: {why}");
            self.close_reason = Some(why);
            self.state = ConnectionState::Closed;
            self.tasks.clear();
        }
    }

    fn max_cmdsn(&self) -> u32 {
        self.exp_cmdsn
            .wrapping_add(self.config.cmd_window.max(1))
            .wrapping_sub(1)
    }

    fn send(&mut self, pdu: &Pdu, data: &[u8]) {
        pdu::encode(pdu, data, self.digests, &mut self.out);
    }

    fn next_statsn(&mut self) -> u32 {
        let s = self.statsn;
        self.statsn = self.statsn.wrapping_add(1);
        s
    }

    /// Feeds bytes received at `now`. Errors the peer caused are answered (Reject,
    /// a failed login) or close the connection; nothing here panics.
    pub fn receive(&mut self, bytes: &[u8], now: Duration) {
        if self.state == ConnectionState::Closed {
            return;
        }
        self.last_rx = now;
        self.decoder.push(bytes);
        loop {
            if self.state == ConnectionState::Closed {
                return;
            }
            match self.decoder.next_frame() {
                Ok(Some(frame)) => self.frame(frame),
                Ok(None) => return,
                Err(e) => {
                    self.close(format!("framing: {e}"));
                    return;
                }
            }
        }
    }

    fn frame(&mut self, frame: Frame) {
        let pdu = match frame.pdu() {
            Ok(p) => p,
            Err(e) => {
                if self.state == ConnectionState::Login {
                    self.close(format!("during login: {e}"));
                } else {
                    let reason = match e {
                        pdu::PduError::UnsupportedOpcode(_) => reject::COMMAND_NOT_SUPPORTED,
                        _ => reject::INVALID_PDU_FIELD,
                    };
                    self.reject(reason, &frame.bhs);
                }
                return;
            }
        };
        match self.state {
            ConnectionState::Login => match pdu {
                Pdu::LoginRequest(r) => self.login(&r, &frame.data),
                _ => self.close("a PDU other than Login Request during login"),
            },
            ConnectionState::FullFeature | ConnectionState::Discovery => {
                self.full_feature(pdu, &frame)
            }
            ConnectionState::Closed => {}
        }
    }

    fn reject(&mut self, reason: u8, bhs: &[u8; BHS_LEN]) {
        let r = Pdu::Reject(Reject {
            reason,
            statsn: self.next_statsn(),
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
            datasn: 0,
        });
        self.send(&r, bhs);
    }

    fn login(&mut self, req: &LoginRequest, data: &[u8]) {
        let first = self.login.first().is_none();
        let reply = self.login.step(&self.config, req, data);
        if first {
            // The first command after login carries the login's CmdSN.
            self.exp_cmdsn = req.cmdsn;
        }
        let mut response = reply.response;
        response.statsn = self.next_statsn();
        response.exp_cmdsn = self.exp_cmdsn;
        response.max_cmdsn = self.max_cmdsn();
        self.send(&Pdu::LoginResponse(response), &reply.text);
        match reply.outcome {
            Outcome::Continue => {}
            Outcome::Failed => self.close("login refused"),
            Outcome::FullFeature => {
                self.neg = self.login.negotiated;
                self.digests = Digests {
                    header: self.neg.header_digest,
                    data: self.neg.data_digest,
                };
                self.decoder.set_digests(self.digests);
                self.decoder
                    .set_max_data_segment(self.config.limits.max_recv_data_segment_length);
                self.state = match self.login.session_type {
                    SessionType::Normal => ConnectionState::FullFeature,
                    SessionType::Discovery => ConnectionState::Discovery,
                };
                tracing::info!(
                    initiator = self.login.initiator_name.as_deref().unwrap_or("?"),
                    "iSCSI login: {:?} session",
                    self.login.session_type
                );
            }
        }
    }

    /// Checks a non-immediate command's CmdSN against the window; advances ExpCmdSN.
    /// False when the PDU must be ignored (RFC 7143 §3.2.2.1: outside the window).
    fn accept_cmdsn(&mut self, immediate: bool, cmdsn: u32) -> bool {
        if immediate {
            return true;
        }
        let ahead = cmdsn.wrapping_sub(self.exp_cmdsn);
        if ahead >= self.config.cmd_window.max(1) {
            tracing::debug!(
                cmdsn,
                exp = self.exp_cmdsn,
                "iSCSI: CmdSN outside the window, ignored"
            );
            return false;
        }
        self.exp_cmdsn = cmdsn.wrapping_add(1);
        true
    }

    fn full_feature(&mut self, pdu: Pdu, frame: &Frame) {
        let discovery = self.state == ConnectionState::Discovery;
        match pdu {
            Pdu::NopOut(p) => self.nop_out(&p, &frame.data),
            Pdu::TextRequest(p) => self.text_request(&p, &frame.data, &frame.bhs),
            Pdu::LogoutRequest(p) => self.logout(&p),
            Pdu::ScsiCommand(p) if !discovery => self.scsi_command(&p, &frame.data, &frame.bhs),
            Pdu::DataOut(p) if !discovery => self.data_out(&p, &frame.data),
            Pdu::TaskMgmtRequest(p) if !discovery => self.task_mgmt(&p),
            Pdu::ScsiCommand(_) | Pdu::DataOut(_) | Pdu::TaskMgmtRequest(_) => {
                self.reject(reject::PROTOCOL_ERROR, &frame.bhs)
            }
            Pdu::LoginRequest(_) => self.reject(reject::PROTOCOL_ERROR, &frame.bhs),
            // Target-to-initiator PDUs sent to us.
            _ => self.reject(reject::PROTOCOL_ERROR, &frame.bhs),
        }
    }

    fn nop_out(&mut self, p: &NopOut, data: &[u8]) {
        if !self.accept_cmdsn(p.immediate, p.cmdsn) {
            return;
        }
        if p.itt == RESERVED_TAG {
            // The answer to our ping.
            if self.ping.is_some_and(|(ttt, _)| ttt == p.ttt) {
                self.ping = None;
            }
            return;
        }
        let n = NopIn {
            lun: p.lun,
            itt: p.itt,
            ttt: RESERVED_TAG,
            statsn: self.next_statsn(),
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
        };
        let echo = &data[..data.len().min(self.neg.initiator_mrdsl as usize)];
        let echo = echo.to_vec();
        self.send(&Pdu::NopIn(n), &echo);
    }

    fn text_request(&mut self, p: &TextRequest, data: &[u8], bhs: &[u8; BHS_LEN]) {
        if !self.accept_cmdsn(p.immediate, p.cmdsn) {
            return;
        }
        if self.text.len() + data.len() > MAX_TEXT {
            self.text.clear();
            self.close("text request too long");
            return;
        }
        self.text.extend_from_slice(data);
        let response = |s: &mut Self, final_: bool, ttt: u32| TextResponse {
            final_,
            cont: false,
            lun: p.lun,
            itt: p.itt,
            ttt,
            statsn: s.next_statsn(),
            exp_cmdsn: s.exp_cmdsn,
            max_cmdsn: s.max_cmdsn(),
        };
        if p.cont {
            let ttt = self.alloc_ttt();
            let r = response(self, false, ttt);
            self.send(&Pdu::TextResponse(r), &[]);
            return;
        }
        let request = std::mem::take(&mut self.text);
        let mut answers: Vec<(String, String)> = Vec::new();
        match text::parse(&request) {
            Ok(pairs) => {
                for (k, v) in pairs {
                    if k == "SendTargets" {
                        let all = v == "All" && self.state == ConnectionState::Discovery;
                        if all || v.is_empty() || v.eq_ignore_ascii_case(&self.config.iqn) {
                            answers.push(("TargetName".into(), self.config.iqn.clone()));
                            answers.push((
                                "TargetAddress".into(),
                                format!("{},1", self.config.portal),
                            ));
                        }
                    } else {
                        answers.push((k, "NotUnderstood".into()));
                    }
                }
            }
            Err(e) => {
                tracing::debug!("iSCSI text request malformed: {e}");
                self.reject(reject::PROTOCOL_ERROR, bhs);
                return;
            }
        }
        let r = response(self, true, RESERVED_TAG);
        let body = text::emit(&answers);
        self.send(&Pdu::TextResponse(r), &body);
    }

    fn logout(&mut self, p: &LogoutRequest) {
        if !self.accept_cmdsn(p.immediate, p.cmdsn) {
            return;
        }
        // 0 close the session, 1 close this connection: the same with one connection;
        // 2 (remove for recovery) needs ErrorRecoveryLevel 2.
        let response = if p.reason & 0x7f <= 1 { 0 } else { 2 };
        let r = LogoutResponse {
            response,
            itt: p.itt,
            statsn: self.next_statsn(),
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
            time2wait: 0,
            time2retain: 0,
        };
        self.send(&Pdu::LogoutResponse(r), &[]);
        if response == 0 {
            self.close("logout");
        }
    }

    fn alloc_ttt(&mut self) -> u32 {
        let t = self.next_ttt;
        self.next_ttt = match self.next_ttt.wrapping_add(1) {
            RESERVED_TAG | 0 => 1,
            n => n,
        };
        t
    }

    fn scsi_command(&mut self, p: &ScsiCommand, data: &[u8], bhs: &[u8; BHS_LEN]) {
        if !self.accept_cmdsn(p.immediate, p.cmdsn) {
            return;
        }
        let cdb_len = match p.cdb[0] >> 5 {
            0 => 6,
            1 | 2 => 10,
            5 => 12,
            _ => 16,
        };
        let cdb = p.cdb[..cdb_len].to_vec();
        if !data.is_empty() && (!p.write || !self.neg.immediate_data) {
            self.reject(reject::PROTOCOL_ERROR, bhs);
            return;
        }
        let Some(lun) = decode_lun(&p.lun) else {
            self.respond_now(
                p,
                CHECK_CONDITION,
                &sense(Asc::LOGICAL_UNIT_NOT_SUPPORTED),
                &[],
            );
            return;
        };
        if p.read && p.write {
            // Bidirectional commands have no place in MMC.
            self.respond_now(p, CHECK_CONDITION, &sense(Asc::INVALID_FIELD_IN_CDB), &[]);
            return;
        }
        if p.edtl > self.config.max_transfer {
            tracing::debug!(edtl = p.edtl, "iSCSI: transfer above the limit refused");
            // Its unsolicited Data-Out PDUs, if any, find no task and are dropped.
            self.respond_now(p, CHECK_CONDITION, &sense(Asc::INVALID_FIELD_IN_CDB), &[]);
            return;
        }
        if data.len() as u64 > u64::from(p.edtl.min(self.neg.first_burst_length)) {
            self.reject(reject::PROTOCOL_ERROR, bhs);
            return;
        }
        if cdb[0] == 0xa0 {
            // REPORT LUNS (SPC-4 §6.33) is the target's own.
            let alloc = be32(&cdb[6..10]) as usize;
            let list = report_luns(self.config.luns);
            let n = list.len().min(alloc).min(p.edtl as usize);
            self.respond_now(p, GOOD, &[], &list[..n]);
            return;
        }
        if lun >= self.config.luns {
            if cdb[0] == 0x12 {
                // INQUIRY of a LUN that is not there: peripheral qualifier 011b.
                let mut inq = [0u8; 36];
                inq[0] = 0x7f;
                inq[3] = 0x02;
                inq[4] = 31;
                let n = inq.len().min(p.edtl as usize);
                self.respond_now(p, GOOD, &[], &inq[..n]);
            } else {
                // 05/25/00 LOGICAL UNIT NOT SUPPORTED.
                self.respond_now(
                    p,
                    CHECK_CONDITION,
                    &sense(Asc::LOGICAL_UNIT_NOT_SUPPORTED),
                    &[],
                );
            }
            return;
        }
        if self.tasks.len() >= self.config.cmd_window as usize + 8 {
            self.respond_now(p, TASK_SET_FULL, &[], &[]);
            return;
        }
        if self.tasks.iter().any(|t| t.itt == p.itt) {
            self.reject(reject::PROTOCOL_ERROR, bhs);
            return;
        }
        let mut task = Task {
            itt: p.itt,
            lun_field: p.lun,
            lun,
            cdb,
            edtl: p.edtl,
            read: p.read,
            write: p.write,
            data: Vec::new(),
            unsolicited_open: p.write && !p.final_ && !self.neg.initial_r2t,
            r2t: None,
            r2tsn: 0,
            issued: false,
        };
        if !p.write && !p.final_ {
            self.reject(reject::PROTOCOL_ERROR, bhs);
            return;
        }
        task.data.extend_from_slice(data);
        self.tasks.push_back(task);
        self.solicit();
    }

    /// Sends an R2T for the first write that still needs solicited data, if it has
    /// none outstanding (one command collects data at a time: memory stays bounded).
    fn solicit(&mut self) {
        let max_burst = self.neg.max_burst_length.max(512);
        let (exp, max) = (self.exp_cmdsn, self.max_cmdsn());
        let Some(i) = self.tasks.iter().position(|t| !t.ready()) else {
            return;
        };
        let ttt = self.next_ttt;
        let t = &mut self.tasks[i];
        if t.unsolicited_open || t.r2t.is_some() {
            return;
        }
        let offset = t.data.len() as u32;
        let len = (t.edtl - offset).min(max_burst);
        t.r2t = Some((ttt, offset, len));
        let r = R2t {
            lun: t.lun_field,
            itt: t.itt,
            ttt,
            statsn: self.statsn,
            exp_cmdsn: exp,
            max_cmdsn: max,
            r2tsn: t.r2tsn,
            offset,
            desired_len: len,
        };
        t.r2tsn = t.r2tsn.wrapping_add(1);
        self.alloc_ttt();
        self.send(&Pdu::R2t(r), &[]);
    }

    fn data_out(&mut self, p: &DataOut, data: &[u8]) {
        let first_burst = self.neg.first_burst_length;
        let Some(t) = self.tasks.iter_mut().find(|t| t.itt == p.itt && t.write) else {
            // A task we refused or aborted: its data is dropped.
            return;
        };
        let offset_ok = p.offset as usize == t.data.len();
        let room = (t.edtl as usize).saturating_sub(t.data.len());
        if !offset_ok || data.len() > room {
            self.close("Data-Out out of order or beyond the expected length");
            return;
        }
        if p.ttt == RESERVED_TAG {
            if !t.unsolicited_open || t.data.len() + data.len() > first_burst as usize {
                self.close("unsolicited Data-Out beyond FirstBurstLength");
                return;
            }
            t.data.extend_from_slice(data);
            if p.final_ {
                t.unsolicited_open = false;
            }
        } else {
            let Some((ttt, offset, len)) = t.r2t else {
                self.close("Data-Out for no R2T");
                return;
            };
            let end = u64::from(offset) + u64::from(len);
            if p.ttt != ttt || t.data.len() as u64 + data.len() as u64 > end {
                self.close("Data-Out does not match its R2T");
                return;
            }
            t.data.extend_from_slice(data);
            if p.final_ || t.data.len() as u64 == end {
                t.r2t = None;
            }
        }
        self.solicit();
    }

    fn task_mgmt(&mut self, p: &TaskMgmtRequest) {
        if !self.accept_cmdsn(p.immediate, p.cmdsn) {
            return;
        }
        let lun = decode_lun(&p.lun);
        let response = match p.function & 0x7f {
            tmf::ABORT_TASK => {
                match self
                    .tasks
                    .iter()
                    .position(|t| t.itt == p.referenced_task_tag && !t.issued)
                {
                    Some(i) => {
                        self.tasks.remove(i);
                        0
                    }
                    // RFC 7143 §11.5.1: a RefCmdSN inside the window counts as done.
                    None if p.ref_cmdsn.wrapping_sub(self.exp_cmdsn) as i32 <= 0 => 0,
                    None => 1,
                }
            }
            // ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET: every queued task of
            // the LUN goes (the one running completes: the drive cannot stop mid-CDB).
            tmf::ABORT_TASK_SET | 3 | tmf::LOGICAL_UNIT_RESET => match lun {
                Some(l) if l < self.config.luns => {
                    self.tasks.retain(|t| t.lun != l || t.issued);
                    if p.function & 0x7f == tmf::LOGICAL_UNIT_RESET {
                        tracing::info!(lun = l, "iSCSI: LOGICAL UNIT RESET");
                    }
                    0
                }
                _ => 2,
            },
            // Others (CLEAR ACA, TARGET WARM/COLD RESET, TASK REASSIGN): not supported.
            _ => 5,
        };
        let r = TaskMgmtResponse {
            response,
            itt: p.itt,
            statsn: self.next_statsn(),
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
        };
        self.send(&Pdu::TaskMgmtResponse(r), &[]);
        self.solicit();
    }

    /// The next command to run, in arrival order: the oldest queued command once all
    /// its data is in and the one before it has completed.
    pub fn next_command(&mut self) -> Option<Command> {
        if self.state != ConnectionState::FullFeature {
            return None;
        }
        let t = self.tasks.front_mut()?;
        if t.issued || !t.ready() {
            return None;
        }
        t.issued = true;
        Some(Command {
            task: t.itt,
            lun: t.lun,
            cdb: t.cdb.clone(),
            data_out: std::mem::take(&mut t.data),
            data_in_len: if t.read { t.edtl as usize } else { 0 },
        })
    }

    /// Hands back the result of a command [`next_command`](Self::next_command) gave out.
    /// A task that is unknown (aborted, or the connection closed) is ignored.
    pub fn complete(&mut self, task: u32, result: TaskResult) {
        let Some(i) = self.tasks.iter().position(|t| t.itt == task && t.issued) else {
            return;
        };
        let Some(t) = self.tasks.remove(i) else {
            return;
        };
        tracing::debug!(
            lun = t.lun,
            opcode = format_args!("{:02X}h", t.cdb.first().copied().unwrap_or(0)),
            len = t.edtl,
            status = format_args!("{:02X}h", result.status),
            "iSCSI command"
        );
        let data = if t.read {
            &result.data[..result.data.len().min(t.edtl as usize)]
        } else {
            &[][..]
        };
        self.respond(
            &t.lun_field,
            t.itt,
            t.edtl,
            t.read,
            result.status,
            &result.sense,
            data,
        );
        self.solicit();
    }

    fn respond_now(&mut self, p: &ScsiCommand, status: u8, sense: &[u8], data: &[u8]) {
        let data = if p.read { data } else { &[] };
        self.respond(&p.lun, p.itt, p.edtl, p.read, status, sense, data);
    }

    /// Data-In PDUs (the last with status when GOOD), else a SCSI Response.
    #[allow(clippy::too_many_arguments)]
    fn respond(
        &mut self,
        lun: &[u8; 8],
        itt: u32,
        edtl: u32,
        read: bool,
        status: u8,
        sense: &[u8],
        data: &[u8],
    ) {
        let residual = edtl.saturating_sub(data.len() as u32);
        let underflow = read && residual > 0;
        let seg = (self.neg.initiator_mrdsl as usize).max(512);
        let chunks = data.len().div_ceil(seg);
        let status_in_data = status == GOOD && chunks > 0;
        for (n, chunk) in data.chunks(seg).enumerate() {
            let last = n + 1 == chunks;
            let with_status = last && status_in_data;
            let d = DataIn {
                final_: last,
                ack: false,
                overflow: false,
                underflow: with_status && underflow,
                has_status: with_status,
                status: if with_status { status } else { 0 },
                lun: *lun,
                itt,
                ttt: RESERVED_TAG,
                statsn: if with_status { self.next_statsn() } else { 0 },
                exp_cmdsn: self.exp_cmdsn,
                max_cmdsn: self.max_cmdsn(),
                datasn: n as u32,
                offset: (n * seg) as u32,
                residual: if with_status { residual } else { 0 },
            };
            self.send(&Pdu::DataIn(d), chunk);
        }
        if status_in_data {
            return;
        }
        // SPC-4 sense data is at most 252 bytes.
        let segment = ScsiResponse::sense_segment(&sense[..sense.len().min(252)]);
        let r = ScsiResponse {
            bidi_overflow: false,
            bidi_underflow: false,
            overflow: false,
            underflow,
            response: 0,
            status,
            itt,
            snack_tag: 0,
            statsn: self.next_statsn(),
            exp_cmdsn: self.exp_cmdsn,
            max_cmdsn: self.max_cmdsn(),
            exp_datasn: chunks as u32,
            bidi_residual: 0,
            residual: if underflow { residual } else { 0 },
        };
        self.send(&Pdu::ScsiResponse(r), &segment);
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due.
    pub fn poll_timeout(&self) -> Option<Duration> {
        match self.state {
            ConnectionState::Closed => None,
            ConnectionState::Login => Some(self.started + self.config.login_timeout),
            _ => match self.ping {
                Some((_, deadline)) => deadline,
                None => Some(self.last_rx + self.config.nop_interval),
            },
        }
    }

    /// Acts on the time: a login that took too long closes; an idle initiator gets a
    /// NOP-In ping; an unanswered ping closes.
    pub fn handle_timeout(&mut self, now: Duration) {
        match self.state {
            ConnectionState::Closed => {}
            ConnectionState::Login => {
                if now >= self.started + self.config.login_timeout {
                    self.close("login did not complete in time");
                }
            }
            _ => {
                if let Some((_, deadline)) = self.ping {
                    if deadline.is_some_and(|d| now >= d) {
                        self.close("the initiator did not answer a NOP-In");
                    }
                } else if now >= self.last_rx + self.config.nop_interval {
                    let ttt = self.alloc_ttt();
                    self.ping = Some((ttt, self.config.nop_timeout.map(|t| now + t)));
                    let n = NopIn {
                        lun: [0; 8],
                        itt: RESERVED_TAG,
                        ttt,
                        // A ping does not advance StatSN.
                        statsn: self.statsn,
                        exp_cmdsn: self.exp_cmdsn,
                        max_cmdsn: self.max_cmdsn(),
                    };
                    self.send(&Pdu::NopIn(n), &[]);
                }
            }
        }
    }

    /// Refuses a login before any exchange (too many connections): a Login Response
    /// 03/02 OUT OF RESOURCES to the first request, then close.
    pub fn refuse(&mut self) {
        if let Some(req) = self.pending_first_login() {
            let mut r = login::response_to(&req);
            r.statsn = self.next_statsn();
            r.exp_cmdsn = req.cmdsn;
            r.max_cmdsn = req.cmdsn;
            (r.status_class, r.status_detail) = login::status::OUT_OF_RESOURCES;
            self.send(&Pdu::LoginResponse(r), &[]);
            self.close("too many connections");
        }
    }

    fn pending_first_login(&mut self) -> Option<LoginRequest> {
        match self.decoder.next_frame() {
            Ok(Some(f)) => match f.pdu() {
                Ok(Pdu::LoginRequest(r)) if r.csg != stage::FULL_FEATURE => Some(r),
                _ => {
                    self.close("not a login");
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                self.close(format!("framing: {e}"));
                None
            }
        }
    }

    /// Feeds bytes of a connection that will be refused (see [`refuse`](Self::refuse)).
    pub fn receive_refused(&mut self, bytes: &[u8]) {
        self.decoder.push(bytes);
        self.refuse();
    }
}

fn be32(b: &[u8]) -> u32 {
    b.iter().take(4).fold(0, |a, &x| a << 8 | u32::from(x))
}

/// Fixed-format sense (SPC-4 §4.5.3) of an ILLEGAL REQUEST the target raises itself.
fn sense(code: Asc) -> Vec<u8> {
    Sense::from_code(SenseKey::IllegalRequest, code).to_fixed_vec()
}

/// REPORT LUNS parameter data for LUNs 0..n (SPC-4 §6.33.2).
fn report_luns(n: u16) -> Vec<u8> {
    let mut v = Vec::with_capacity(8 + 8 * usize::from(n));
    v.extend_from_slice(&(u32::from(n) * 8).to_be_bytes());
    v.extend_from_slice(&[0; 4]);
    for l in 0..n {
        v.extend_from_slice(&pdu::encode_lun(l));
    }
    v
}
