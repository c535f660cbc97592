//! The thin blocking TCP loop around [`TargetConnection`]: one thread per connection,
//! the LUNs shared between them behind a mutex each (a drive runs one CDB at a time).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use discburn_mmc::sense::{Asc, Sense, SenseKey};
use discburn_mmc::{Request, Transport};

use super::connection::{Command, ConnectionState, TargetConnection, TaskResult};
use super::{TargetAuth, TargetConfig};

/// How often blocked reads and the accept loop look at the shutdown flag.
const POLL: Duration = Duration::from_millis(50);
/// Most LUNs one target offers (flat addressing: 14 bits).
pub const MAX_LUNS: usize = 0x4000;

type Lun = Arc<Mutex<Box<dyn Transport>>>;

/// What `discburn serve` (or any user of [`Server`]) configures.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The target's iSCSI qualified name.
    pub iqn: String,
    /// Authentication initiators must pass.
    pub auth: TargetAuth,
    /// Connections served at once; more are refused at login (03/02).
    pub max_connections: usize,
    /// A connection that has not logged in within this is dropped.
    pub login_timeout: Duration,
}

impl ServerConfig {
    /// No authentication, 64 connections, 15 s to log in.
    pub fn new(iqn: impl Into<String>) -> Self {
        ServerConfig {
            iqn: iqn.into(),
            auth: TargetAuth::None,
            max_connections: 64,
            login_timeout: Duration::from_secs(15),
        }
    }
}

/// Why the target could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Another program listens on the address.
    #[error("{addr} is already in use by another program; choose another port")]
    AddrInUse {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The address cannot be listened on (not this machine's, or not permitted).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: io::Error,
    },
    /// No LUN to serve, or more than iSCSI can address.
    #[error("a target serves 1 to {MAX_LUNS} LUNs, not {0}")]
    LunCount(usize),
    /// The listening socket failed.
    #[error("the listening socket failed: {0}")]
    Io(#[from] io::Error),
}

/// Stops a running [`Server`] from another thread (a Ctrl-C handler).
#[derive(Debug, Clone)]
pub struct ShutdownHandle(Arc<AtomicBool>);

impl ShutdownHandle {
    /// Makes [`Server::run`] close every connection and return.
    pub fn shutdown(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// An iSCSI target serving drives on one TCP address.
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    target: Arc<TargetConfig>,
    luns: Vec<Lun>,
    stop: Arc<AtomicBool>,
    max_connections: usize,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("target", &self.target)
            .field("luns", &self.luns.len())
            .finish()
    }
}

impl Server {
    /// Listens on `listen` with LUN n = `luns[n]`.
    pub fn bind(
        listen: SocketAddr,
        config: ServerConfig,
        luns: Vec<Box<dyn Transport>>,
    ) -> Result<Server, ServeError> {
        if luns.is_empty() || luns.len() > MAX_LUNS {
            return Err(ServeError::LunCount(luns.len()));
        }
        let listener = TcpListener::bind(listen).map_err(|e| match e.kind() {
            io::ErrorKind::AddrInUse => ServeError::AddrInUse { addr: listen },
            _ => ServeError::Bind {
                addr: listen,
                source: e,
            },
        })?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        let mut target = TargetConfig::new(config.iqn, luns.len() as u16, local_addr.to_string());
        target.auth = config.auth;
        target.login_timeout = config.login_timeout;
        Ok(Server {
            listener,
            local_addr,
            target: Arc::new(target),
            luns: luns.into_iter().map(|l| Arc::new(Mutex::new(l))).collect(),
            stop: Arc::new(AtomicBool::new(false)),
            max_connections: config.max_connections.max(1),
        })
    }

    /// The address listened on (the port the system chose for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The target's name.
    pub fn iqn(&self) -> &str {
        &self.target.iqn
    }

    /// The `iscsi://HOST:PORT/IQN/LUN` address of a LUN.
    pub fn url(&self, lun: u16) -> String {
        format!("iscsi://{}/{}/{lun}", self.local_addr, self.target.iqn)
    }

    /// A handle that stops [`run`](Self::run).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(Arc::clone(&self.stop))
    }

    /// Serves until shut down, then closes every connection, waits for their threads
    /// and hands the LUNs' drives back (dropping them saves a virtual drive's state).
    pub fn run(self) -> Result<Vec<Box<dyn Transport>>, ServeError> {
        let active = Arc::new(AtomicUsize::new(0));
        let mut threads: Vec<JoinHandle<()>> = Vec::new();
        let mut tsih: u16 = 0;
        while !self.stop.load(Ordering::SeqCst) {
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    let (done, running): (Vec<_>, Vec<_>) =
                        threads.into_iter().partition(|h| h.is_finished());
                    threads = running;
                    for h in done {
                        let _ = h.join();
                    }
                    tsih = tsih.wrapping_add(1).max(1);
                    let over = active.load(Ordering::SeqCst) >= self.max_connections;
                    let ctx = Conn {
                        target: Arc::clone(&self.target),
                        luns: self.luns.clone(),
                        stop: Arc::clone(&self.stop),
                        active: Arc::clone(&active),
                        refuse: over,
                        tsih,
                    };
                    tracing::debug!(%peer, refuse = over, "iSCSI connection accepted");
                    match std::thread::Builder::new()
                        .name(format!("iscsi-{peer}"))
                        .spawn(move || ctx.serve(stream))
                    {
                        Ok(h) => threads.push(h),
                        Err(e) => tracing::warn!("cannot start a connection thread: {e}"),
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Out of descriptors and the like: keep serving the others.
                    tracing::warn!("accept failed: {e}");
                    std::thread::sleep(POLL);
                }
            }
        }
        for h in threads {
            let _ = h.join();
        }
        let mut out = Vec::with_capacity(self.luns.len());
        for lun in self.luns {
            match Arc::try_unwrap(lun) {
                Ok(m) => out.push(m.into_inner().unwrap_or_else(|p| p.into_inner())),
                Err(_) => {
                    return Err(ServeError::Io(io::Error::other(
                        "a connection still holds a drive after shutdown",
                    )))
                }
            }
        }
        Ok(out)
    }
}

/// One connection's thread.
struct Conn {
    target: Arc<TargetConfig>,
    luns: Vec<Lun>,
    stop: Arc<AtomicBool>,
    active: Arc<AtomicUsize>,
    refuse: bool,
    tsih: u16,
}

impl Conn {
    fn serve(self, mut stream: TcpStream) {
        if !self.refuse {
            self.active.fetch_add(1, Ordering::SeqCst);
        }
        let result = self.pump(&mut stream);
        if !self.refuse {
            self.active.fetch_sub(1, Ordering::SeqCst);
        }
        if let Err(e) = result {
            tracing::debug!("iSCSI connection ended: {e}");
        }
    }

    fn pump(&self, stream: &mut TcpStream) -> io::Result<()> {
        stream.set_nonblocking(false)?;
        stream.set_read_timeout(Some(POLL))?;
        stream.set_write_timeout(Some(Duration::from_secs(60)))?;
        let _ = stream.set_nodelay(true);
        let start = Instant::now();
        let now = || start.elapsed();
        let mut conn =
            TargetConnection::new(Arc::clone(&self.target), self.tsih, challenge(), now());
        let mut buf = vec![0u8; 256 * 1024];
        while !self.stop.load(Ordering::SeqCst) {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) if self.refuse => conn.receive_refused(&buf[..n]),
                Ok(n) => conn.receive(&buf[..n], now()),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e),
            }
            if conn.poll_timeout().is_some_and(|t| now() >= t) {
                conn.handle_timeout(now());
            }
            while let Some(cmd) = conn.next_command() {
                let task = cmd.task;
                let result = execute(&self.luns, cmd);
                conn.complete(task, result);
                let out = conn.take_output();
                stream.write_all(&out)?;
            }
            let out = conn.take_output();
            if !out.is_empty() {
                stream.write_all(&out)?;
            }
            if conn.state() == ConnectionState::Closed {
                break;
            }
        }
        if let Some(why) = conn.close_reason() {
            tracing::debug!(
                initiator = conn.initiator_name().unwrap_or("?"),
                "iSCSI connection closed: {why}"
            );
        }
        Ok(())
    }
}

/// A random CHAP challenge; a weak one only if the system has no randomness at all.
fn challenge() -> [u8; 16] {
    let mut c = [0u8; 16];
    if getrandom::fill(&mut c).is_err() {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        c[..8].copy_from_slice(&h.finish().to_le_bytes());
        c[8..].copy_from_slice(&h.finish().rotate_left(17).to_le_bytes());
    }
    c
}

/// Runs one command on its LUN's drive.
fn execute(luns: &[Lun], cmd: Command) -> TaskResult {
    let Some(lun) = luns.get(usize::from(cmd.lun)) else {
        return internal_error();
    };
    let mut drive = lun.lock().unwrap_or_else(|p| p.into_inner());
    let mut data = vec![0u8; cmd.data_in_len];
    // The initiator's own timeout never reaches the target: a real drive behind the LUN
    // gets the time its command can take.
    let timeout = discburn_mmc::cdb::pass_through_timeout(&cmd.cdb);
    let request = if cmd.data_in_len > 0 {
        Request::data_in(&cmd.cdb, &mut data, timeout)
    } else if !cmd.data_out.is_empty() {
        Request::data_out(&cmd.cdb, &cmd.data_out, timeout)
    } else {
        Request::none(&cmd.cdb, timeout)
    };
    match drive.execute(request) {
        Ok(done) => {
            data.truncate(done.transferred);
            TaskResult {
                status: u8::from(done.status),
                sense: done.sense,
                data,
            }
        }
        Err(e) => {
            tracing::warn!(lun = cmd.lun, "the drive failed a command: {e}");
            internal_error()
        }
    }
}

/// CHECK CONDITION 04/44/00 INTERNAL TARGET FAILURE.
fn internal_error() -> TaskResult {
    TaskResult {
        status: u8::from(discburn_mmc::ScsiStatus::CheckCondition),
        sense: Sense::from_code(SenseKey::HardwareError, Asc::INTERNAL_TARGET_FAILURE)
            .to_fixed_vec(),
        data: Vec::new(),
    }
}
