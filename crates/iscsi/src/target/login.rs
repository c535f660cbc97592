//! The target's login phase (RFC 7143 §6): SecurityNegotiation with AuthMethod None or
//! CHAP/MD5 (one-way, and mutual when the initiator asks for it, §12.1.3), then
//! LoginOperationalNegotiation, then the final response that enters full feature phase.
//!
//! Sans-I/O: [`Login::step`] takes one Login Request (header and text) and returns the
//! response to send and what it means; the connection frames it.

use crate::chap;
use crate::pdu::{stage, LoginRequest, LoginResponse};
use crate::text;

use super::negotiate::{self, Negotiated};
use super::{TargetAuth, TargetConfig};

/// Login status (RFC 7143 §11.13.5): class 2 initiator errors, class 3 target errors.
pub mod status {
    /// 02/00 initiator error (a malformed request).
    pub const INITIATOR_ERROR: (u8, u8) = (2, 0);
    /// 02/01 authentication failure.
    pub const AUTH_FAILURE: (u8, u8) = (2, 1);
    /// 02/03 the target name is not ours.
    pub const NOT_FOUND: (u8, u8) = (2, 3);
    /// 02/05 no version in common.
    pub const UNSUPPORTED_VERSION: (u8, u8) = (2, 5);
    /// 02/07 a required key is missing.
    pub const MISSING_PARAMETER: (u8, u8) = (2, 7);
    /// 02/0A session does not exist (a TSIH we never gave out).
    pub const SESSION_DOES_NOT_EXIST: (u8, u8) = (2, 0x0a);
    /// 02/0B invalid request during login.
    pub const INVALID_DURING_LOGIN: (u8, u8) = (2, 0x0b);
    /// 03/02 out of resources (too many connections).
    pub const OUT_OF_RESOURCES: (u8, u8) = (3, 2);
}

/// Longest login text accepted across continued PDUs.
pub const MAX_LOGIN_TEXT: usize = 64 * 1024;

/// The session type the initiator asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionType {
    /// SCSI commands to the LUNs.
    Normal,
    /// SendTargets only.
    Discovery,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Auth {
    /// No AuthMethod agreed yet.
    Pending,
    /// AuthMethod=CHAP agreed; waiting for CHAP_A.
    ChapChosen,
    /// CHAP_C sent; waiting for CHAP_N / CHAP_R.
    Challenged { id: u8 },
    /// Authenticated (or no authentication required and agreed).
    Done,
}

/// What one login step produced.
#[derive(Debug)]
pub struct Reply {
    /// The response header (StatSN and CmdSN fields filled in by the connection).
    pub response: LoginResponse,
    /// The response text.
    pub text: Vec<u8>,
    /// What happens after it is sent.
    pub outcome: Outcome,
}

/// What the connection does after sending a login response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// More login PDUs follow.
    Continue,
    /// Full feature phase begins with the next PDU.
    FullFeature,
    /// The login failed; the connection closes.
    Failed,
}

/// A Login Response to `req` that stays in its stage, status 0 (StatSN and the CmdSN
/// fields are the connection's to fill in).
pub fn response_to(req: &LoginRequest) -> LoginResponse {
    LoginResponse {
        transit: false,
        cont: false,
        csg: req.csg,
        nsg: 0,
        version_max: 0,
        version_active: 0,
        isid: req.isid,
        tsih: 0,
        itt: req.itt,
        statsn: 0,
        exp_cmdsn: 0,
        max_cmdsn: 0,
        status_class: 0,
        status_detail: 0,
    }
}

/// The login state of one connection.
#[derive(Debug)]
pub struct Login {
    auth: Auth,
    challenge: [u8; 16],
    first: Option<LoginRequest>,
    pending_text: Vec<u8>,
    /// Initiator's name, once given.
    pub initiator_name: Option<String>,
    /// The session type, once known.
    pub session_type: SessionType,
    /// The values negotiated so far.
    pub negotiated: Negotiated,
    declared: bool,
    tsih: u16,
}

impl Login {
    /// A login for a new session that will get `tsih`; `challenge` is the CHAP
    /// challenge this connection sends (random, from the I/O layer).
    pub fn new(config: &TargetConfig, tsih: u16, challenge: [u8; 16]) -> Login {
        Login {
            auth: Auth::Pending,
            challenge,
            first: None,
            pending_text: Vec::new(),
            initiator_name: None,
            session_type: SessionType::Normal,
            negotiated: Negotiated::defaults(&config.limits),
            declared: false,
            tsih: tsih.max(1),
        }
    }

    /// The first Login Request of this connection (its CmdSN starts the session's).
    pub fn first(&self) -> Option<&LoginRequest> {
        self.first.as_ref()
    }

    fn response(&self, req: &LoginRequest) -> LoginResponse {
        response_to(req)
    }

    fn fail(&self, req: &LoginRequest, (class, detail): (u8, u8), why: &str) -> Reply {
        tracing::info!(
            initiator = self.initiator_name.as_deref().unwrap_or("?"),
            "iSCSI login refused ({class:02X}/{detail:02X}): {why}"
        );
        let mut response = self.response(req);
        response.status_class = class;
        response.status_detail = detail;
        Reply {
            response,
            text: Vec::new(),
            outcome: Outcome::Failed,
        }
    }

    /// Answers one Login Request with its text segment.
    pub fn step(&mut self, config: &TargetConfig, req: &LoginRequest, data: &[u8]) -> Reply {
        if req.version_min > 0 {
            return self.fail(req, status::UNSUPPORTED_VERSION, "no version in common");
        }
        match &self.first {
            None => {
                if req.tsih != 0 {
                    return self.fail(
                        req,
                        status::SESSION_DOES_NOT_EXIST,
                        "adding a connection to an existing session is not supported",
                    );
                }
                self.first = Some(*req);
            }
            Some(f) if f.isid != req.isid || f.itt != req.itt => {
                return self.fail(
                    req,
                    status::INITIATOR_ERROR,
                    "ISID or ITT changed during login",
                );
            }
            Some(_) => {}
        }
        if self.pending_text.len() + data.len() > MAX_LOGIN_TEXT {
            return self.fail(req, status::INITIATOR_ERROR, "login text too long");
        }
        self.pending_text.extend_from_slice(data);
        if req.cont {
            // RFC 7143 §6.2: answer an empty response and wait for the rest.
            return Reply {
                response: self.response(req),
                text: Vec::new(),
                outcome: Outcome::Continue,
            };
        }
        let text_bytes = std::mem::take(&mut self.pending_text);
        let pairs = match text::parse(&text_bytes) {
            Ok(p) => p,
            Err(e) => return self.fail(req, status::INITIATOR_ERROR, &e.to_string()),
        };
        let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let mut answers: Vec<(String, String)> = Vec::new();
        let first_response = self.initiator_name.is_none();
        if first_response {
            let Some(name) = get("InitiatorName") else {
                return self.fail(req, status::MISSING_PARAMETER, "no InitiatorName");
            };
            self.initiator_name = Some(name.chars().take(224).collect());
            self.session_type = match get("SessionType").unwrap_or("Normal") {
                "Normal" => SessionType::Normal,
                "Discovery" => SessionType::Discovery,
                _ => return self.fail(req, status::INITIATOR_ERROR, "unknown SessionType"),
            };
            if self.session_type == SessionType::Normal {
                match get("TargetName") {
                    None => return self.fail(req, status::MISSING_PARAMETER, "no TargetName"),
                    Some(t) if !t.eq_ignore_ascii_case(&config.iqn) => {
                        return self.fail(req, status::NOT_FOUND, "TargetName is not this target")
                    }
                    Some(_) => {}
                }
                // RFC 7143 §13.9: returned in the first response of a normal session.
                answers.push(("TargetPortalGroupTag".into(), "1".into()));
            }
        }
        match req.csg {
            stage::SECURITY => {
                if let Err(r) = self.security(config, req, &pairs, &mut answers) {
                    return r;
                }
            }
            stage::OPERATIONAL => {
                if self.auth != Auth::Done {
                    // Skipping SecurityNegotiation is only possible without authentication.
                    match config.auth {
                        TargetAuth::None => self.auth = Auth::Done,
                        TargetAuth::Chap { .. } => {
                            return self.fail(req, status::AUTH_FAILURE, "CHAP is required")
                        }
                    }
                }
            }
            _ => return self.fail(req, status::INVALID_DURING_LOGIN, "invalid CSG"),
        }
        for (k, v) in &pairs {
            if let Some(a) = negotiate::answer(k, v, &config.limits, &mut self.negotiated) {
                answers.push((k.clone(), a));
            }
        }
        let mut response = self.response(req);
        let mut outcome = Outcome::Continue;
        if req.transit && self.auth == Auth::Done && req.nsg > req.csg {
            response.transit = true;
            response.nsg = req.nsg;
            if req.nsg == stage::FULL_FEATURE {
                response.tsih = self.tsih;
                outcome = Outcome::FullFeature;
            }
        }
        if (req.csg == stage::OPERATIONAL || outcome == Outcome::FullFeature) && !self.declared {
            // Declarative: the longest data segment we accept (default 8192 otherwise).
            answers.push((
                "MaxRecvDataSegmentLength".into(),
                config.limits.max_recv_data_segment_length.to_string(),
            ));
            self.declared = true;
        }
        Reply {
            response,
            text: text::emit(&answers),
            outcome,
        }
    }

    fn security(
        &mut self,
        config: &TargetConfig,
        req: &LoginRequest,
        pairs: &[(String, String)],
        answers: &mut Vec<(String, String)>,
    ) -> Result<(), Reply> {
        let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        if let Some(methods) = get("AuthMethod") {
            let offered = |m: &str| methods.split(',').any(|x| x == m);
            match &config.auth {
                TargetAuth::None if offered("None") => {
                    answers.push(("AuthMethod".into(), "None".into()));
                    self.auth = Auth::Done;
                }
                TargetAuth::Chap { .. } if offered("CHAP") => {
                    answers.push(("AuthMethod".into(), "CHAP".into()));
                    self.auth = Auth::ChapChosen;
                }
                _ => {
                    return Err(self.fail(
                        req,
                        status::AUTH_FAILURE,
                        "no AuthMethod in common (this target requires CHAP or none)",
                    ))
                }
            }
        }
        let TargetAuth::Chap {
            user,
            secret,
            mutual,
        } = &config.auth
        else {
            if self.auth != Auth::Done && req.transit {
                // No AuthMethod offered at all: RFC 7143 lets the target accept None.
                self.auth = Auth::Done;
            }
            return Ok(());
        };
        match self.auth {
            Auth::ChapChosen => {
                if let Some(algs) = get("CHAP_A") {
                    if !algs.split(',').any(|a| a == chap::ALGORITHM_MD5) {
                        return Err(self.fail(req, status::AUTH_FAILURE, "CHAP without MD5"));
                    }
                    let id = self.challenge[0];
                    answers.push(("CHAP_A".into(), chap::ALGORITHM_MD5.into()));
                    answers.push(("CHAP_I".into(), id.to_string()));
                    answers.push(("CHAP_C".into(), chap::encode_hex(&self.challenge)));
                    self.auth = Auth::Challenged { id };
                }
            }
            Auth::Challenged { id } => {
                let (Some(n), Some(r)) = (get("CHAP_N"), get("CHAP_R")) else {
                    return Err(self.fail(req, status::AUTH_FAILURE, "no CHAP_N/CHAP_R"));
                };
                let expected = chap::response(id, secret.as_bytes(), &self.challenge);
                let got = chap::decode_binary(r).unwrap_or_default();
                if n != user || !same(&got, &expected) {
                    return Err(self.fail(req, status::AUTH_FAILURE, "CHAP user or secret wrong"));
                }
                match (get("CHAP_I"), get("CHAP_C")) {
                    (Some(i), Some(c)) => {
                        // Mutual CHAP: the initiator authenticates us.
                        let Some((mutual_user, mutual_secret)) = mutual else {
                            return Err(self.fail(
                                req,
                                status::AUTH_FAILURE,
                                "mutual CHAP asked for, but this target has no credentials for it",
                            ));
                        };
                        let (Ok(i), Ok(c)) = (chap::parse_identifier(i), chap::parse_challenge(c))
                        else {
                            return Err(self.fail(
                                req,
                                status::AUTH_FAILURE,
                                "malformed CHAP_I/CHAP_C",
                            ));
                        };
                        if c == self.challenge {
                            // RFC 7143 §12.1.3: a reflected challenge is an attack.
                            return Err(self.fail(
                                req,
                                status::AUTH_FAILURE,
                                "reflected CHAP challenge",
                            ));
                        }
                        let resp = chap::response(i, mutual_secret.as_bytes(), &c);
                        answers.push(("CHAP_N".into(), mutual_user.clone()));
                        answers.push(("CHAP_R".into(), chap::encode_hex(&resp)));
                    }
                    (None, None) => {}
                    _ => return Err(self.fail(req, status::AUTH_FAILURE, "CHAP_I without CHAP_C")),
                }
                self.auth = Auth::Done;
            }
            Auth::Pending if req.transit => {
                return Err(self.fail(req, status::AUTH_FAILURE, "CHAP is required"));
            }
            Auth::Pending | Auth::Done => {}
        }
        Ok(())
    }
}

/// Compares two digests without an early exit.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
