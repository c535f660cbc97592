//! Operational parameter negotiation (RFC 7143 §13): what the initiator offers, and the
//! values in force once the target has answered.
//!
//! The target's answer is checked against the negotiation function of each key (min,
//! max, AND, OR, list choice): an answer the rules do not allow fails the login rather
//! than being silently "corrected", since the target will act on what it answered.

use crate::pdu::HARD_MAX_DATA_SEGMENT;

/// What the initiator offers at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// Offer HeaderDigest=CRC32C (with None as fallback).
    pub header_digest: bool,
    /// Offer DataDigest=CRC32C (with None as fallback).
    pub data_digest: bool,
    /// MaxRecvDataSegmentLength we declare (capped by the hard ceiling).
    pub max_recv_data_segment_length: u32,
    /// MaxBurstLength offered.
    pub max_burst_length: u32,
    /// FirstBurstLength offered.
    pub first_burst_length: u32,
    /// ImmediateData offered.
    pub immediate_data: bool,
    /// InitialR2T offered.
    pub initial_r2t: bool,
    /// MaxOutstandingR2T offered.
    pub max_outstanding_r2t: u32,
    /// DefaultTime2Wait offered, seconds.
    pub default_time2wait: u32,
    /// DefaultTime2Retain offered, seconds.
    pub default_time2retain: u32,
}

impl Default for Offer {
    fn default() -> Self {
        Offer {
            header_digest: false,
            data_digest: false,
            max_recv_data_segment_length: 256 * 1024,
            max_burst_length: 1024 * 1024,
            first_burst_length: 256 * 1024,
            immediate_data: true,
            initial_r2t: false,
            max_outstanding_r2t: 1,
            default_time2wait: 2,
            default_time2retain: 0,
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

fn digest_offer(b: bool) -> &'static str {
    if b {
        "CRC32C,None"
    } else {
        "None"
    }
}

impl Offer {
    /// The operational keys sent in the LoginOperationalNegotiation stage.
    pub fn keys(&self) -> Vec<(&'static str, String)> {
        let mrdsl = self
            .max_recv_data_segment_length
            .clamp(512, HARD_MAX_DATA_SEGMENT);
        let burst = self.max_burst_length.clamp(512, 0x00ff_ffff);
        let first = self.first_burst_length.clamp(512, burst);
        vec![
            ("HeaderDigest", digest_offer(self.header_digest).into()),
            ("DataDigest", digest_offer(self.data_digest).into()),
            ("ErrorRecoveryLevel", "0".into()),
            ("InitialR2T", yes_no(self.initial_r2t).into()),
            ("ImmediateData", yes_no(self.immediate_data).into()),
            ("MaxRecvDataSegmentLength", mrdsl.to_string()),
            ("MaxBurstLength", burst.to_string()),
            ("FirstBurstLength", first.to_string()),
            (
                "MaxOutstandingR2T",
                self.max_outstanding_r2t.max(1).to_string(),
            ),
            ("MaxConnections", "1".into()),
            ("DataPDUInOrder", "Yes".into()),
            ("DataSequenceInOrder", "Yes".into()),
            ("DefaultTime2Wait", self.default_time2wait.to_string()),
            ("DefaultTime2Retain", self.default_time2retain.to_string()),
        ]
    }
}

/// The session and connection parameters in force after login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// HeaderDigest=CRC32C.
    pub header_digest: bool,
    /// DataDigest=CRC32C.
    pub data_digest: bool,
    /// Largest data segment we accept (what we declared).
    pub max_recv_data_segment_length: u32,
    /// Largest data segment we may send (what the target declared).
    pub max_xmit_data_segment_length: u32,
    /// MaxBurstLength.
    pub max_burst_length: u32,
    /// FirstBurstLength.
    pub first_burst_length: u32,
    /// ImmediateData.
    pub immediate_data: bool,
    /// InitialR2T.
    pub initial_r2t: bool,
    /// MaxOutstandingR2T.
    pub max_outstanding_r2t: u32,
    /// DataPDUInOrder.
    pub data_pdu_in_order: bool,
    /// DataSequenceInOrder.
    pub data_sequence_in_order: bool,
    /// ErrorRecoveryLevel (always 0 here).
    pub error_recovery_level: u32,
    /// DefaultTime2Wait, seconds.
    pub default_time2wait: u32,
    /// DefaultTime2Retain, seconds.
    pub default_time2retain: u32,
    /// MaxConnections.
    pub max_connections: u32,
}

impl Negotiated {
    /// RFC 7143 defaults, with our declared receive limit: what holds for keys the
    /// target does not answer.
    pub fn defaults(offer: &Offer) -> Self {
        Negotiated {
            header_digest: false,
            data_digest: false,
            max_recv_data_segment_length: offer
                .max_recv_data_segment_length
                .clamp(512, HARD_MAX_DATA_SEGMENT),
            max_xmit_data_segment_length: 8192,
            max_burst_length: 262_144,
            first_burst_length: 65_536,
            immediate_data: true,
            initial_r2t: true,
            max_outstanding_r2t: 1,
            data_pdu_in_order: true,
            data_sequence_in_order: true,
            error_recovery_level: 0,
            default_time2wait: 2,
            default_time2retain: 20,
            max_connections: 1,
        }
    }
}

/// The target's answer to one key broke the negotiation rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("target answered {key}={value}: {why}")]
pub struct NegotiationError {
    /// The key.
    pub key: String,
    /// The value the target answered.
    pub value: String,
    /// Which rule it broke.
    pub why: &'static str,
}

/// How a key that the target sent on its own (not as an answer) is handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsolicited {
    /// Declarative or informational: nothing to answer.
    Ignore,
    /// A proposal we must answer with this `key=value`.
    Answer(String, String),
}

fn err(key: &str, value: &str, why: &'static str) -> NegotiationError {
    NegotiationError {
        key: key.into(),
        value: value.chars().take(64).collect(),
        why,
    }
}

fn num(key: &str, value: &str, lo: u32, hi: u32) -> Result<u32, NegotiationError> {
    let n: u32 = value.parse().map_err(|_| err(key, value, "not a number"))?;
    if !(lo..=hi).contains(&n) {
        return Err(err(key, value, "out of the key's range"));
    }
    Ok(n)
}

fn boolean(key: &str, value: &str) -> Result<bool, NegotiationError> {
    match value {
        "Yes" => Ok(true),
        "No" => Ok(false),
        _ => Err(err(key, value, "neither Yes nor No")),
    }
}

fn digest(key: &str, value: &str, offered_crc: bool) -> Result<bool, NegotiationError> {
    match value {
        "None" => Ok(false),
        "CRC32C" if offered_crc => Ok(true),
        _ => Err(err(key, value, "not one of the values offered")),
    }
}

impl Negotiated {
    /// Applies the target's answer `key=value` to a key we offered (or a declaration).
    /// Returns `Ok(false)` for keys that are not operational parameters.
    pub fn apply(
        &mut self,
        offer: &Offer,
        key: &str,
        value: &str,
    ) -> Result<bool, NegotiationError> {
        // "Irrelevant"/"Reject"/"NotUnderstood" leave the RFC default in force.
        if matches!(value, "Irrelevant" | "Reject" | "NotUnderstood") {
            return Ok(true);
        }
        let offered = offer.keys();
        let ours = offered
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str());
        let our_num = || ours.and_then(|v| v.parse::<u32>().ok()).unwrap_or(u32::MAX);
        match key {
            "HeaderDigest" => self.header_digest = digest(key, value, offer.header_digest)?,
            "DataDigest" => self.data_digest = digest(key, value, offer.data_digest)?,
            "MaxRecvDataSegmentLength" => {
                self.max_xmit_data_segment_length = num(key, value, 512, 0x00ff_ffff)?;
            }
            "MaxBurstLength" | "FirstBurstLength" | "MaxOutstandingR2T" | "MaxConnections"
            | "DefaultTime2Retain" | "ErrorRecoveryLevel" => {
                let (lo, hi) = match key {
                    "MaxBurstLength" | "FirstBurstLength" => (512, 0x00ff_ffff),
                    "MaxOutstandingR2T" | "MaxConnections" => (1, 65535),
                    "DefaultTime2Retain" => (0, 3600),
                    _ => (0, 2),
                };
                let n = num(key, value, lo, hi)?;
                if n > our_num() {
                    return Err(err(key, value, "more than offered (negotiated by minimum)"));
                }
                match key {
                    "MaxBurstLength" => self.max_burst_length = n,
                    "FirstBurstLength" => self.first_burst_length = n,
                    "MaxOutstandingR2T" => self.max_outstanding_r2t = n,
                    "MaxConnections" => self.max_connections = n,
                    "DefaultTime2Retain" => self.default_time2retain = n,
                    _ => self.error_recovery_level = n,
                }
            }
            "DefaultTime2Wait" => {
                let n = num(key, value, 0, 3600)?;
                if n < offer.default_time2wait {
                    return Err(err(key, value, "less than offered (negotiated by maximum)"));
                }
                self.default_time2wait = n;
            }
            "ImmediateData" => {
                let b = boolean(key, value)?;
                if b && !offer.immediate_data {
                    return Err(err(key, value, "Yes where we offered No (AND)"));
                }
                self.immediate_data = b;
            }
            "InitialR2T" | "DataPDUInOrder" | "DataSequenceInOrder" => {
                let b = boolean(key, value)?;
                let our_yes = ours == Some("Yes");
                if !b && our_yes {
                    return Err(err(key, value, "No where we offered Yes (OR)"));
                }
                match key {
                    "InitialR2T" => self.initial_r2t = b,
                    "DataPDUInOrder" => self.data_pdu_in_order = b,
                    _ => self.data_sequence_in_order = b,
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Final consistency checks once login completes.
    pub fn finish(&mut self) -> Result<(), NegotiationError> {
        if self.first_burst_length > self.max_burst_length {
            return Err(err(
                "FirstBurstLength",
                &self.first_burst_length.to_string(),
                "exceeds MaxBurstLength",
            ));
        }
        if self.error_recovery_level != 0 {
            return Err(err(
                "ErrorRecoveryLevel",
                &self.error_recovery_level.to_string(),
                "only level 0 is supported",
            ));
        }
        if !self.data_pdu_in_order || !self.data_sequence_in_order {
            return Err(err(
                "DataPDUInOrder",
                "No",
                "out-of-order data is not supported",
            ));
        }
        Ok(())
    }
}

/// Decides how to treat a key the target sent that we did not offer.
pub fn unsolicited(key: &str, value: &str) -> Unsolicited {
    match key {
        // Declarative keys and informational ones: no answer.
        "TargetAlias" | "TargetAddress" | "TargetPortalGroupTag" | "MaxRecvDataSegmentLength" => {
            Unsolicited::Ignore
        }
        // The target answering our own keys twice, or stage keys: nothing to say.
        "AuthMethod" | "TargetName" | "InitiatorName" | "SessionType" => Unsolicited::Ignore,
        // Target-initiated offers of keys we know: answer with the value we would
        // have offered, limited by the rules, or take theirs where it is a declaration.
        "IFMarker" | "OFMarker" => Unsolicited::Answer(key.into(), "No".into()),
        _ if value == "NotUnderstood" || value == "Irrelevant" || value == "Reject" => {
            Unsolicited::Ignore
        }
        _ => Unsolicited::Answer(key.into(), "NotUnderstood".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typical_answer_is_applied() {
        let offer = Offer::default();
        let mut n = Negotiated::defaults(&offer);
        for (k, v) in [
            ("HeaderDigest", "None"),
            ("DataDigest", "None"),
            ("MaxRecvDataSegmentLength", "8192"),
            ("MaxBurstLength", "262144"),
            ("FirstBurstLength", "65536"),
            ("ImmediateData", "Yes"),
            ("InitialR2T", "Yes"),
            ("MaxOutstandingR2T", "1"),
            ("ErrorRecoveryLevel", "0"),
            ("DefaultTime2Wait", "2"),
            ("DefaultTime2Retain", "0"),
            ("DataPDUInOrder", "Yes"),
            ("DataSequenceInOrder", "Yes"),
        ] {
            assert!(n.apply(&offer, k, v).unwrap(), "{k}");
        }
        n.finish().unwrap();
        assert_eq!(n.max_xmit_data_segment_length, 8192);
        assert_eq!(n.max_burst_length, 262144);
        assert!(n.initial_r2t && n.immediate_data);
        assert!(!n.apply(&offer, "TargetAlias", "x").unwrap());
    }

    #[test]
    fn answers_breaking_the_rules_fail() {
        let offer = Offer::default();
        let mut n = Negotiated::defaults(&offer);
        assert!(n.apply(&offer, "HeaderDigest", "CRC32C").is_err());
        assert!(n.apply(&offer, "MaxBurstLength", "16777215").is_err());
        assert!(n.apply(&offer, "MaxBurstLength", "12").is_err());
        assert!(n.apply(&offer, "MaxBurstLength", "lots").is_err());
        assert!(n.apply(&offer, "DataPDUInOrder", "No").is_err());
        assert!(n.apply(&offer, "DefaultTime2Wait", "0").is_err());
        assert!(n.apply(&offer, "ErrorRecoveryLevel", "2").is_err());
        assert!(n.apply(&offer, "ImmediateData", "Maybe").is_err());
        let no_imm = Offer {
            immediate_data: false,
            ..Offer::default()
        };
        assert!(n.apply(&no_imm, "ImmediateData", "Yes").is_err());
        let crc = Offer {
            header_digest: true,
            ..Offer::default()
        };
        assert!(n.apply(&crc, "HeaderDigest", "CRC32C").unwrap());
        assert!(n.header_digest);
    }

    #[test]
    fn unsolicited_keys() {
        assert_eq!(unsolicited("TargetAlias", "x"), Unsolicited::Ignore);
        assert_eq!(
            unsolicited("X-com.example.Foo", "1"),
            Unsolicited::Answer("X-com.example.Foo".into(), "NotUnderstood".into())
        );
    }
}
