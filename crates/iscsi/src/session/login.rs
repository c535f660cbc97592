//! Login (RFC 7143 §6, §11.12–§11.13): the security stage (None or CHAP), the operational
//! negotiation, and the transition to the full feature phase.

use std::time::Duration;

use tracing::debug;

use crate::chap;
use crate::params::{self, Unsolicited};
use crate::pdu::{stage, Digests, LoginRequest, LoginResponse, Pdu};
use crate::text;

use super::{
    login_status_name, Event, LoginError, Phase, SecStep, Session, SessionError, MAX_LOGIN_ROUNDS,
    MAX_LOGIN_TEXT,
};

impl Session {
    pub(super) fn send_login(
        &mut self,
        csg: u8,
        nsg: u8,
        transit: bool,
        keys: &[(String, String)],
    ) {
        let Phase::Login(l) = &mut self.phase else {
            return;
        };
        l.csg = csg;
        let p = Pdu::LoginRequest(LoginRequest {
            transit,
            cont: false,
            csg,
            nsg: if transit { nsg } else { 0 },
            version_max: 0,
            version_min: 0,
            isid: self.cfg.isid,
            tsih: 0,
            itt: l.itt,
            cid: 0,
            cmdsn: self.cmdsn,
            exp_statsn: self.exp_statsn,
        });
        let data = text::emit(keys);
        self.push(None, &p, &data);
    }

    pub(super) fn handle_login(
        &mut self,
        r: LoginResponse,
        data: &[u8],
        now: Duration,
    ) -> Result<(), SessionError> {
        let Phase::Login(l) = &mut self.phase else {
            return Ok(());
        };
        if r.itt != l.itt {
            return Err(
                LoginError::Protocol(format!("Login Response for ITT {:#x}", r.itt)).into(),
            );
        }
        if r.status_class != 0 {
            return Err(LoginError::Refused {
                class: r.status_class,
                detail: r.status_detail,
                name: login_status_name(r.status_class, r.status_detail),
            }
            .into());
        }
        if r.version_active != 0 {
            return Err(LoginError::Protocol(format!(
                "unsupported version-active {}",
                r.version_active
            ))
            .into());
        }
        if r.csg != l.csg {
            return Err(LoginError::Protocol(format!(
                "response for stage {}, we are in stage {}",
                r.csg, l.csg
            ))
            .into());
        }
        if r.isid != self.cfg.isid {
            return Err(LoginError::Protocol("Login Response for another ISID".into()).into());
        }
        l.rounds += 1;
        if l.rounds > MAX_LOGIN_ROUNDS {
            return Err(LoginError::Protocol("too many login round trips".into()).into());
        }
        if l.text.len() + data.len() > MAX_LOGIN_TEXT {
            return Err(LoginError::Protocol("login text too long".into()).into());
        }
        l.text.extend_from_slice(data);
        let csg = l.csg;
        let txt = if r.cont {
            None
        } else {
            Some(std::mem::take(&mut l.text))
        };
        self.exp_statsn = r.statsn.wrapping_add(1);
        // During login the target's window is taken as given.
        self.exp_cmdsn = r.exp_cmdsn;
        self.max_cmdsn = r.max_cmdsn;
        let Some(txt) = txt else {
            // More text follows: ask for it with an empty request.
            self.send_login(csg, 0, false, &[]);
            return Ok(());
        };
        let keys = text::parse(&txt).map_err(|e| LoginError::Protocol(e.to_string()))?;
        if csg == stage::SECURITY {
            self.login_security(r, &keys)
        } else {
            self.login_operational(r, &keys, now)
        }
    }

    pub(super) fn set_sec_step(&mut self, step: SecStep) {
        if let Phase::Login(l) = &mut self.phase {
            l.step = step;
            if step != SecStep::Offered {
                l.chose_chap = true;
            }
        }
    }

    pub(super) fn login_security(
        &mut self,
        r: LoginResponse,
        keys: &[(String, String)],
    ) -> Result<(), SessionError> {
        let get = |k: &str| keys.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.as_str());
        let (step, chose_chap) = match &self.phase {
            Phase::Login(l) => (l.step, l.chose_chap),
            _ => return Ok(()),
        };
        if r.transit {
            if r.nsg != stage::OPERATIONAL {
                return Err(LoginError::Protocol(format!(
                    "security stage moved to stage {}, we asked for 1",
                    r.nsg
                ))
                .into());
            }
            if chose_chap && step != SecStep::ChapResponse {
                return Err(LoginError::Auth("target skipped the CHAP exchange".into()).into());
            }
            return self.start_operational();
        }
        match step {
            SecStep::Offered => match get("AuthMethod") {
                Some("None") | None => {
                    self.send_login(stage::SECURITY, stage::OPERATIONAL, true, &[]);
                }
                Some("CHAP") if self.cfg.chap.is_some() => {
                    self.set_sec_step(SecStep::ChapAlgorithm);
                    let keys = vec![("CHAP_A".to_string(), chap::ALGORITHM_MD5.to_string())];
                    self.send_login(stage::SECURITY, 0, false, &keys);
                }
                Some(other) => {
                    return Err(LoginError::Auth(format!(
                        "target requires AuthMethod {:?}, we offered {}",
                        other.chars().take(40).collect::<String>(),
                        if self.cfg.chap.is_some() {
                            "CHAP,None"
                        } else {
                            "None (give user%password in the URL for CHAP)"
                        }
                    ))
                    .into())
                }
            },
            SecStep::ChapAlgorithm => {
                let creds = self.cfg.chap.clone().ok_or_else(|| {
                    LoginError::Auth("CHAP chosen without credentials".to_string())
                })?;
                if get("CHAP_A") != Some(chap::ALGORITHM_MD5) {
                    return Err(LoginError::Auth(format!(
                        "target chose CHAP_A={:?}; only MD5 (5) is supported",
                        get("CHAP_A")
                    ))
                    .into());
                }
                let id = chap::parse_identifier(get("CHAP_I").unwrap_or(""))
                    .map_err(|e| LoginError::Auth(e.to_string()))?;
                let challenge = chap::parse_challenge(get("CHAP_C").unwrap_or(""))
                    .map_err(|e| LoginError::Auth(e.to_string()))?;
                let resp = chap::response(id, creds.secret.as_bytes(), &challenge);
                self.set_sec_step(SecStep::ChapResponse);
                let keys = vec![
                    ("CHAP_N".to_string(), creds.user.clone()),
                    ("CHAP_R".to_string(), chap::encode_hex(&resp)),
                ];
                self.send_login(stage::SECURITY, stage::OPERATIONAL, true, &keys);
            }
            SecStep::ChapResponse => {
                // Accepted but not yet transiting: ask again.
                self.send_login(stage::SECURITY, stage::OPERATIONAL, true, &[]);
            }
        }
        Ok(())
    }

    pub(super) fn start_operational(&mut self) -> Result<(), SessionError> {
        let keys: Vec<(String, String)> = self
            .cfg
            .offer
            .keys()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        if let Phase::Login(l) = &mut self.phase {
            l.csg = stage::OPERATIONAL;
        }
        self.send_login(stage::OPERATIONAL, stage::FULL_FEATURE, true, &keys);
        Ok(())
    }

    pub(super) fn login_operational(
        &mut self,
        r: LoginResponse,
        keys: &[(String, String)],
        now: Duration,
    ) -> Result<(), SessionError> {
        let mut answers = Vec::new();
        for (k, v) in keys {
            if !self.negotiated.apply(&self.cfg.offer, k, v)? {
                if let Unsolicited::Answer(k, v) = params::unsolicited(k, v) {
                    answers.push((k, v));
                }
            }
        }
        if !r.transit {
            self.send_login(stage::OPERATIONAL, stage::FULL_FEATURE, true, &answers);
            return Ok(());
        }
        if r.nsg != stage::FULL_FEATURE {
            return Err(LoginError::Protocol(format!(
                "operational stage moved to stage {}, we asked for 3",
                r.nsg
            ))
            .into());
        }
        self.negotiated.finish()?;
        if r.tsih == 0 {
            return Err(LoginError::Protocol("final Login Response with TSIH 0".into()).into());
        }
        self.tsih = r.tsih;
        self.digests = Digests {
            header: self.negotiated.header_digest,
            data: self.negotiated.data_digest,
        };
        self.decoder.set_digests(self.digests);
        self.decoder
            .set_max_data_segment(self.negotiated.max_recv_data_segment_length);
        self.cmdsn = r.exp_cmdsn;
        self.exp_cmdsn = r.exp_cmdsn;
        self.max_cmdsn = r.max_cmdsn;
        self.last_rx = now;
        self.phase = Phase::FullFeature;
        debug!(negotiated = ?self.negotiated, window = self.window(), "logged in");
        self.events.push_back(Event::LoggedIn);
        Ok(())
    }
}
