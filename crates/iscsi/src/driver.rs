//! The blocking TCP driver: a thin loop around [`Session`] that implements
//! [`Transport`].
//!
//! Every socket read and write has a deadline: reads wait at most until the session's
//! next timeout (and never more than [`POLL_SLICE`], so a cancel request is seen
//! promptly), writes at most [`IscsiOptions::io_timeout`]. A connection that closes,
//! fails or hangs surfaces as [`TransportError::DeviceGone`]; [`IscsiTransport::reconnect`]
//! logs in again.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;

use discburn_mmc::clock::{Clock, SharedClock, SystemClock};
use discburn_mmc::transport::{Completion, DataPhase, Limits, Request, Transport, TransportError};
use tracing::{debug, info};

use crate::params::{Negotiated, Offer};
use crate::session::{
    ChapCredentials, Event, Session, SessionConfig, SessionError, SubmitError, TaskData, TaskError,
    TaskResult, TaskTag,
};
use crate::url::{IscsiUrl, UrlError};

/// Longest a single blocking read waits before the loop looks at cancel and timers.
pub const POLL_SLICE: Duration = Duration::from_millis(50);

/// Initiator settings. [`IscsiOptions::default`] suits a drive on a LAN.
#[derive(Debug, Clone)]
pub struct IscsiOptions {
    /// Our InitiatorName.
    pub initiator_name: String,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Login must finish within this.
    pub login_timeout: Duration,
    /// A write to the socket may block this long before the connection counts as hung.
    pub io_timeout: Duration,
    /// Ping the target after this much silence while commands are outstanding.
    pub nop_interval: Duration,
    /// A ping, a logout or an ABORT TASK unanswered this long means the connection is hung.
    pub nop_timeout: Duration,
    /// Largest data phase of one command (reported as `Limits::max_transfer`).
    pub max_transfer: usize,
    /// Most commands kept in flight by `execute_queue` (further capped by the
    /// target's CmdSN window at login).
    pub max_in_flight: usize,
    /// Operational parameters offered at login (digests are also set by the URL).
    pub offer: Offer,
}

impl Default for IscsiOptions {
    fn default() -> Self {
        IscsiOptions {
            initiator_name: "iqn.2024-01.invalid.discburn:initiator".into(),
            connect_timeout: Duration::from_secs(5),
            login_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(10),
            nop_interval: Duration::from_secs(5),
            nop_timeout: Duration::from_secs(10),
            max_transfer: 1024 * 1024,
            max_in_flight: 32,
            offer: Offer::default(),
        }
    }
}

/// Why an iSCSI drive could not be opened or re-opened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address is malformed.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The portal's host name does not resolve to an address.
    #[error("cannot resolve host {host}: {source}")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's error.
        source: std::io::Error,
    },
    /// No TCP connection could be made.
    #[error("cannot connect to iSCSI portal {addr}: {source}")]
    Connect {
        /// HOST:PORT tried.
        addr: String,
        /// The last socket error.
        source: std::io::Error,
    },
    /// Login failed (refused, authentication, negotiation, timeout, connection lost).
    #[error("iSCSI login to {url} failed: {source}")]
    Login {
        /// The URL (password hidden).
        url: String,
        /// Why.
        source: SessionError,
    },
    /// Logout did not complete.
    #[error("iSCSI logout failed: {0}")]
    Logout(String),
}

impl From<Error> for TransportError {
    fn from(e: Error) -> Self {
        match e {
            Error::Url(u) => TransportError::InvalidRequest(u.to_string()),
            other => TransportError::DeviceGone(other.to_string()),
        }
    }
}

/// Cancels the commands in flight on an [`IscsiTransport`] from any thread: they are
/// aborted with ABORT TASK and complete with [`TransportError::Aborted`]. Cancelling
/// while nothing is in flight makes the next command fail as aborted without being sent.
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    /// Requests cancellation.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }
}

/// A distinct ISID qualifier per transport in this process, so two transports to one
/// target are two sessions rather than one reinstating the other.
fn next_isid() -> [u8; 6] {
    static COUNTER: AtomicU16 = AtomicU16::new(0);
    let q = COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    let pid = std::process::id().to_be_bytes();
    // Random-format ISID (T = 10b): A/B/C from the pid, D the qualifier.
    [0x80 | (pid[1] & 0x3f), pid[2], pid[3], pid[0], q[0], q[1]]
}

struct Conn {
    stream: TcpStream,
    session: Session,
    done: HashMap<u32, Result<TaskResult, TaskError>>,
    pings: Vec<TaskTag>,
    logged_in: bool,
    logged_out: bool,
    /// A cancel request was consumed (in-flight tasks were sent ABORT TASK).
    cancelled: bool,
    out: Vec<u8>,
    rx: Vec<u8>,
}

impl Conn {
    /// Why the session failed, or `otherwise` when it has not.
    fn failure_or(&self, otherwise: &str) -> String {
        self.session
            .failure()
            .map_or_else(|| otherwise.to_owned(), |e| e.to_string())
    }

    fn flush(&mut self, io_timeout: Duration) {
        while self.session.has_transmit() {
            self.out.clear();
            while self.out.len() < 4 * 1024 * 1024 {
                match self.session.poll_transmit() {
                    Some(b) => self.out.extend_from_slice(&b),
                    None => break,
                }
            }
            let _ = self.stream.set_write_timeout(Some(io_timeout));
            if let Err(e) = self.stream.write_all(&self.out) {
                let why = if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
                    format!("write blocked for {io_timeout:?} (target not reading)")
                } else {
                    format!("write failed: {e}")
                };
                self.session.connection_lost(why);
                return;
            }
        }
    }

    fn drain_events(&mut self) {
        while let Some(ev) = self.session.poll_event() {
            match ev {
                Event::LoggedIn => self.logged_in = true,
                Event::TaskDone { tag, outcome } => {
                    self.done.insert(tag.0, outcome);
                }
                Event::PingAnswered(t) => self.pings.push(t),
                Event::LogoutRequested => info!("target asked for logout"),
                Event::LoggedOut => self.logged_out = true,
                Event::Failed(e) => {
                    debug!(error = %e, "session failed");
                    let _ = self.stream.shutdown(Shutdown::Both);
                }
            }
        }
    }

    /// Runs the connection until `pred` holds or the session closes, for the session
    /// exchanges no caller cancels and only the session's own timers bound (login,
    /// logout, ping).
    fn wait_for(
        &mut self,
        clock: &dyn Clock,
        io_timeout: Duration,
        pred: impl FnMut(&Conn) -> bool,
    ) -> bool {
        self.run_until(clock, &CancelHandle::default(), io_timeout, None, pred)
    }

    /// Runs the connection until `pred` holds, the session closes, or `deadline` passes.
    fn run_until(
        &mut self,
        clock: &dyn Clock,
        cancel: &CancelHandle,
        io_timeout: Duration,
        deadline: Option<Duration>,
        mut pred: impl FnMut(&Conn) -> bool,
    ) -> bool {
        loop {
            self.flush(io_timeout);
            self.drain_events();
            if pred(self) {
                return true;
            }
            if self.session.is_closed() {
                return false;
            }
            let now = clock.now();
            if deadline.is_some_and(|d| now >= d) {
                return false;
            }
            if cancel.take() {
                self.cancelled = true;
                for tag in self.session.outstanding_tags() {
                    self.session.abort(tag, now);
                }
                continue;
            }
            let next = self.session.poll_timeout();
            if next.is_some_and(|t| t <= now) {
                self.session.handle_timeout(now);
                continue;
            }
            let mut wait = POLL_SLICE;
            for d in [next, deadline].into_iter().flatten() {
                wait = wait.min(d.saturating_sub(now));
            }
            let _ = self
                .stream
                .set_read_timeout(Some(wait.max(Duration::from_millis(1))));
            match self.stream.read(&mut self.rx) {
                Ok(0) => self.session.connection_lost("target closed the connection"),
                Ok(n) => self.session.handle_input(&self.rx[..n], clock.now()),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) => self.session.connection_lost(format!("read failed: {e}")),
            }
        }
    }
}

/// An MMC drive behind an iSCSI target, as a [`Transport`].
///
/// ```no_run
/// use discburn_iscsi::IscsiTransport;
/// use discburn_mmc::{Request, Transport};
/// use std::time::Duration;
///
/// let mut t = IscsiTransport::open("iscsi://127.0.0.1:3260/iqn.2024-01.example:dvd/1")?;
/// let tur = [0u8; 6];
/// let done = t.execute(Request::none(&tur, Duration::from_secs(5)))?;
/// println!("TEST UNIT READY: {:?}", done.status);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct IscsiTransport {
    url: IscsiUrl,
    options: IscsiOptions,
    clock: SharedClock,
    isid: [u8; 6],
    conn: Option<Conn>,
    cancel: CancelHandle,
}

impl std::fmt::Debug for IscsiTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IscsiTransport")
            .field("url", &self.url)
            .field("connected", &self.is_connected())
            .field("max_in_flight", &self.max_in_flight())
            .finish()
    }
}

fn map_task_error(e: TaskError) -> TransportError {
    match e {
        TaskError::Timeout(d) => TransportError::Timeout(d),
        TaskError::Aborted(s) => TransportError::Aborted(s),
        TaskError::ConnectionLost(s) => TransportError::DeviceGone(s),
        TaskError::Protocol(s) | TaskError::Target(s) => TransportError::Protocol(s),
    }
}

impl IscsiTransport {
    /// Opens `iscsi://[user%password@]HOST[:PORT]/TARGET-IQN/LUN` with default options:
    /// connects and logs in.
    pub fn open(url: &str) -> Result<IscsiTransport, Error> {
        IscsiTransport::connect(IscsiUrl::parse(url)?, IscsiOptions::default())
    }

    /// Connects to `url` and logs in with `options`.
    pub fn connect(url: IscsiUrl, options: IscsiOptions) -> Result<IscsiTransport, Error> {
        let mut t = IscsiTransport {
            url,
            options,
            clock: SystemClock::shared(),
            isid: next_isid(),
            conn: None,
            cancel: CancelHandle::default(),
        };
        t.reconnect()?;
        Ok(t)
    }

    /// Drops the current connection (if any) and logs in again on a new one, with the
    /// same ISID, so the target reinstates the session and discards its old tasks.
    pub fn reconnect(&mut self) -> Result<(), Error> {
        if let Some(c) = self.conn.take() {
            let _ = c.stream.shutdown(Shutdown::Both);
        }
        let addr = self.url.host_port();
        let stream = self.tcp_connect(&addr)?;
        let mut offer = self.options.offer.clone();
        offer.header_digest |= self.url.header_digest;
        offer.data_digest |= self.url.data_digest;
        let cfg = SessionConfig {
            isid: self.isid,
            chap: match (&self.url.user, &self.url.password) {
                (Some(u), Some(p)) => Some(ChapCredentials {
                    user: u.clone(),
                    secret: p.clone(),
                }),
                _ => None,
            },
            offer,
            login_timeout: self.options.login_timeout,
            nop_interval: self.options.nop_interval,
            nop_timeout: self.options.nop_timeout,
            tmf_timeout: self.options.nop_timeout,
            ..SessionConfig::new(self.options.initiator_name.clone(), self.url.target.clone())
        };
        let mut conn = Conn {
            stream,
            session: Session::new(cfg, self.clock.now()),
            done: HashMap::new(),
            pings: Vec::new(),
            logged_in: false,
            logged_out: false,
            cancelled: false,
            out: Vec::new(),
            rx: vec![0u8; 256 * 1024],
        };
        let ok = conn.wait_for(&*self.clock, self.options.io_timeout, |c| c.logged_in);
        if !ok {
            let source = conn
                .session
                .failure()
                .cloned()
                .unwrap_or(SessionError::Timeout("login"));
            return Err(Error::Login {
                url: self.url.to_string(),
                source,
            });
        }
        let window = conn.session.queue_depth();
        info!(url = %self.url, window, negotiated = ?conn.session.negotiated(), "iSCSI login");
        self.conn = Some(conn);
        Ok(())
    }

    fn tcp_connect(&self, addr: &str) -> Result<TcpStream, Error> {
        let err = |source| Error::Connect {
            addr: addr.to_string(),
            source,
        };
        let resolve = |source| Error::Resolve {
            host: self.url.host.clone(),
            source,
        };
        let addrs: Vec<_> = addr.to_socket_addrs().map_err(resolve)?.collect();
        if addrs.is_empty() {
            return Err(resolve(std::io::Error::new(
                ErrorKind::NotFound,
                "the name has no address",
            )));
        }
        let mut last = std::io::Error::new(ErrorKind::NotFound, "host has no address");
        for a in addrs {
            match TcpStream::connect_timeout(&a, self.options.connect_timeout) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Err(e) => last = e,
            }
        }
        Err(err(last))
    }

    /// Logs out and closes the connection. Commands afterwards fail with
    /// [`TransportError::DeviceGone`] until [`IscsiTransport::reconnect`].
    pub fn logout(&mut self) -> Result<(), Error> {
        let Some(mut c) = self.conn.take() else {
            return Ok(());
        };
        if c.session.is_closed() {
            return Ok(());
        }
        c.session.logout(self.clock.now());
        let ok = c.wait_for(&*self.clock, self.options.io_timeout, |c| c.logged_out);
        let _ = c.stream.shutdown(Shutdown::Both);
        if ok {
            Ok(())
        } else {
            Err(Error::Logout(c.failure_or("no answer")))
        }
    }

    /// Sends a NOP-Out ping and waits for the target's NOP-In (a keep-alive callers
    /// can use between commands).
    pub fn ping(&mut self) -> Result<(), TransportError> {
        let clock = self.clock.clone();
        let io_timeout = self.options.io_timeout;
        let conn = self.live_conn()?;
        let Some(tag) = conn.session.ping(clock.now()) else {
            return Err(TransportError::DeviceGone("not logged in".into()));
        };
        let ok = conn.wait_for(&*clock, io_timeout, |c| c.pings.contains(&tag));
        conn.pings.retain(|t| *t != tag);
        if ok {
            Ok(())
        } else {
            Err(TransportError::DeviceGone(
                conn.failure_or("ping unanswered"),
            ))
        }
    }

    /// A handle that cancels in-flight commands from another thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// The address this transport was opened with.
    pub fn url(&self) -> &IscsiUrl {
        &self.url
    }

    /// Commands `execute_queue` keeps in flight: [`IscsiOptions::max_in_flight`], capped by
    /// the queue depth the target currently advertises (MaxCmdSN − ExpCmdSN + 1).
    pub fn max_in_flight(&self) -> usize {
        let depth = self
            .conn
            .as_ref()
            .map_or(1, |c| c.session.queue_depth().max(1) as usize);
        self.options.max_in_flight.clamp(1, depth)
    }

    /// True while logged in on a healthy connection.
    pub fn is_connected(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| c.session.is_logged_in())
    }

    /// The parameters negotiated at the last login.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.conn.as_ref().map(|c| c.session.negotiated())
    }

    fn live_conn(&mut self) -> Result<&mut Conn, TransportError> {
        match self.conn.as_mut() {
            Some(c) if c.session.is_logged_in() => Ok(c),
            Some(c) => Err(TransportError::DeviceGone(format!(
                "the iSCSI session to {} is down ({}); open the drive again to reconnect",
                self.url.host_port(),
                c.failure_or("logged out")
            ))),
            None => Err(TransportError::DeviceGone(format!(
                "not connected to the iSCSI target at {}; open the drive again to reconnect",
                self.url.host_port()
            ))),
        }
    }
}

impl Transport for IscsiTransport {
    fn execute(&mut self, request: Request<'_>) -> Result<Completion, TransportError> {
        let mut reqs = [request];
        self.execute_queue(&mut reqs)
            .pop()
            .unwrap_or(Err(TransportError::NotExecuted))
    }

    fn limits(&self) -> Limits {
        Limits {
            max_transfer: self.options.max_transfer,
            alignment: 1,
            max_in_flight: self.max_in_flight(),
        }
    }

    /// Pipelines the requests: up to `limits().max_in_flight` are at the target at once
    /// (and never more than its CmdSN window admits). After the first failure no new
    /// request is sent; those already sent report their own results.
    fn execute_queue(
        &mut self,
        requests: &mut [Request<'_>],
    ) -> Vec<Result<Completion, TransportError>> {
        let n = requests.len();
        let mut results: Vec<Option<Result<Completion, TransportError>>> =
            (0..n).map(|_| None).collect();
        let max_transfer = self.options.max_transfer;
        let max_in_flight = self.max_in_flight();
        let io_timeout = self.options.io_timeout;
        let lun = self.url.lun;
        let clock = self.clock.clone();
        let cancel = self.cancel.clone();
        let mut next = 0;
        if n > 0 && cancel.take() {
            results[0] = Some(Err(TransportError::Aborted("cancelled".into())));
            next = 1;
        }
        let conn = match self.live_conn() {
            Ok(c) => Some(c),
            Err(e) => {
                if next < n {
                    results[next] = Some(Err(e));
                }
                None
            }
        };
        if let (Some(conn), true) = (conn, next == 0) {
            let mut stop = false;
            conn.cancelled = false;
            let mut inflight: Vec<(TaskTag, usize)> = Vec::new();
            loop {
                while !stop && next < n && inflight.len() < max_in_flight {
                    let idx = next;
                    next += 1;
                    let r = &requests[idx];
                    if let Err(e) = r.check() {
                        results[idx] = Some(Err(e));
                        stop = true;
                        break;
                    }
                    if r.data.len() > max_transfer {
                        results[idx] = Some(Err(TransportError::InvalidRequest(format!(
                            "data phase of {} bytes exceeds the transport's {max_transfer}",
                            r.data.len()
                        ))));
                        stop = true;
                        break;
                    }
                    let data = match &r.data {
                        DataPhase::None => TaskData::None,
                        DataPhase::In(b) => TaskData::In(b.len()),
                        DataPhase::Out(b) => TaskData::Out(b.to_vec()),
                    };
                    match conn
                        .session
                        .submit(lun, r.cdb, data, r.timeout, clock.now())
                    {
                        Ok(tag) => inflight.push((tag, idx)),
                        Err(e) => {
                            results[idx] = Some(Err(match e {
                                SubmitError::CdbLength(_) | SubmitError::TooLarge(_) => {
                                    TransportError::InvalidRequest(e.to_string())
                                }
                                _ => TransportError::DeviceGone(e.to_string()),
                            }));
                            stop = true;
                        }
                    }
                }
                if inflight.is_empty() {
                    break;
                }
                conn.run_until(&*clock, &cancel, io_timeout, None, |c| {
                    inflight.iter().any(|(t, _)| c.done.contains_key(&t.0))
                });
                // After a cancel nothing more is sent, even if the aborted commands
                // had already completed.
                stop |= conn.cancelled;
                let mut progressed = false;
                inflight.retain(|&(tag, idx)| {
                    let Some(outcome) = conn.done.remove(&tag.0) else {
                        return true;
                    };
                    progressed = true;
                    let res = outcome.map_err(map_task_error).map(|r| {
                        if let DataPhase::In(buf) = &mut requests[idx].data {
                            let t = r.transferred.min(buf.len()).min(r.data.len());
                            buf[..t].copy_from_slice(&r.data[..t]);
                        }
                        Completion {
                            status: r.status,
                            sense: r.sense,
                            transferred: r.transferred,
                        }
                    });
                    if !matches!(&res, Ok(c) if c.is_good()) {
                        stop = true;
                    }
                    results[idx] = Some(res);
                    false
                });
                if !progressed {
                    // The session closed without reporting these tasks.
                    for (_, idx) in inflight.drain(..) {
                        results[idx] = Some(Err(TransportError::DeviceGone(
                            "iSCSI session closed".into(),
                        )));
                    }
                    break;
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(TransportError::NotExecuted)))
            .collect()
    }
}

impl Drop for IscsiTransport {
    fn drop(&mut self) {
        // Polite logout, bounded: a hung target must not hang the drop.
        if let Some(c) = self.conn.as_mut() {
            if c.session.is_logged_in() {
                let now = self.clock.now();
                c.session.logout(now);
                c.run_until(
                    &*self.clock,
                    &CancelHandle::default(),
                    Duration::from_secs(1),
                    Some(now + Duration::from_secs(1)),
                    |c| c.logged_out,
                );
            }
            let _ = c.stream.shutdown(Shutdown::Both);
        }
    }
}
