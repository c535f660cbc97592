//! The target's side of operational negotiation (RFC 7143 §13): answering each key the
//! initiator offers by its negotiation function, and declaring our own limits.

use crate::pdu::LOGIN_MAX_DATA_SEGMENT;

/// What this target is willing to do; the answers are computed from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// MaxRecvDataSegmentLength we declare: the longest data segment we accept.
    pub max_recv_data_segment_length: u32,
    /// Upper bound for MaxBurstLength (minimum function).
    pub max_burst_length: u32,
    /// Upper bound for FirstBurstLength (minimum function).
    pub first_burst_length: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_recv_data_segment_length: 256 * 1024,
            max_burst_length: 1024 * 1024,
            first_burst_length: 256 * 1024,
        }
    }
}

/// The operational values in force once login has ended (RFC 7143 §13 defaults
/// where the initiator did not offer a key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// HeaderDigest=CRC32C.
    pub header_digest: bool,
    /// DataDigest=CRC32C.
    pub data_digest: bool,
    /// The initiator's MaxRecvDataSegmentLength: the longest Data-In we may send.
    pub initiator_mrdsl: u32,
    /// MaxBurstLength: the longest solicited Data-Out sequence (one R2T).
    pub max_burst_length: u32,
    /// FirstBurstLength: unsolicited data (immediate + Data-Out) per command.
    pub first_burst_length: u32,
    /// InitialR2T: no unsolicited Data-Out PDUs (immediate data may still come).
    pub initial_r2t: bool,
    /// ImmediateData: data in the SCSI Command PDU.
    pub immediate_data: bool,
}

impl Negotiated {
    /// RFC 7143's defaults, bounded by our limits.
    pub fn defaults(limits: &Limits) -> Self {
        Negotiated {
            header_digest: false,
            data_digest: false,
            initiator_mrdsl: LOGIN_MAX_DATA_SEGMENT,
            max_burst_length: 262_144.min(limits.max_burst_length),
            first_burst_length: 65_536.min(limits.first_burst_length),
            initial_r2t: true,
            immediate_data: true,
        }
    }
}

/// Keys that are declarations or session keys handled by the login itself: no answer.
const NO_ANSWER: &[&str] = &[
    "InitiatorName",
    "InitiatorAlias",
    "TargetName",
    "SessionType",
    "AuthMethod",
    "CHAP_A",
    "CHAP_I",
    "CHAP_C",
    "CHAP_N",
    "CHAP_R",
];

/// Answers one offered operational key, updating `n`; `None` when the key needs no
/// answer here (declarative, or handled by the login stages).
pub fn answer(key: &str, value: &str, limits: &Limits, n: &mut Negotiated) -> Option<String> {
    if NO_ANSWER.contains(&key) {
        return None;
    }
    let num = || value.parse::<u32>().ok();
    let yes = || value == "Yes";
    let out = match key {
        "HeaderDigest" | "DataDigest" => {
            // List: the first of the initiator's choices we support.
            let pick = value
                .split(',')
                .find(|c| *c == "None" || *c == "CRC32C")
                .unwrap_or("Reject");
            let on = pick == "CRC32C";
            if key == "HeaderDigest" {
                n.header_digest = on;
            } else {
                n.data_digest = on;
            }
            pick.to_string()
        }
        "MaxRecvDataSegmentLength" => {
            // Declarative: what the initiator accepts from us.
            if let Some(v) = num().filter(|v| (512..=16_777_215).contains(v)) {
                n.initiator_mrdsl = v;
            }
            return None;
        }
        "MaxBurstLength" => match num().filter(|v| (512..=16_777_215).contains(v)) {
            Some(v) => {
                n.max_burst_length = v.min(limits.max_burst_length);
                n.max_burst_length.to_string()
            }
            None => "Reject".into(),
        },
        "FirstBurstLength" => match num().filter(|v| (512..=16_777_215).contains(v)) {
            Some(v) => {
                n.first_burst_length = v.min(limits.first_burst_length);
                n.first_burst_length.to_string()
            }
            None => "Reject".into(),
        },
        // OR with our No: the initiator's value.
        "InitialR2T" => {
            n.initial_r2t = yes();
            if yes() { "Yes" } else { "No" }.into()
        }
        // AND with our Yes: the initiator's value.
        "ImmediateData" => {
            n.immediate_data = yes();
            if yes() { "Yes" } else { "No" }.into()
        }
        // We keep data in order (OR with our Yes).
        "DataPDUInOrder" | "DataSequenceInOrder" => "Yes".into(),
        // Minimum with ours: one R2T at a time, one connection, no error recovery.
        "MaxOutstandingR2T" | "MaxConnections" => "1".into(),
        "ErrorRecoveryLevel" => "0".into(),
        "DefaultTime2Wait" => num().map_or("Reject".into(), |v| v.max(2).to_string()),
        "DefaultTime2Retain" => num().map_or("Reject".into(), |_| "0".into()),
        // Markers (RFC 3720; gone from 7143): AND with our No.
        "IFMarker" | "OFMarker" => "No".into(),
        "IFMarkInt" | "OFMarkInt" => "Irrelevant".into(),
        _ => "NotUnderstood".into(),
    };
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pairs: &[(&str, &str)]) -> (Vec<(String, String)>, Negotiated) {
        let limits = Limits::default();
        let mut n = Negotiated::defaults(&limits);
        let out = pairs
            .iter()
            .filter_map(|(k, v)| answer(k, v, &limits, &mut n).map(|a| (k.to_string(), a)))
            .collect();
        (out, n)
    }

    #[test]
    fn libiscsi_offer_is_answered_by_each_keys_function() {
        let (out, n) = run(&[
            ("InitiatorName", "iqn.2008-11.org.linux-kvm"),
            ("HeaderDigest", "None,CRC32C"),
            ("DataDigest", "None"),
            ("InitialR2T", "Yes"),
            ("ImmediateData", "Yes"),
            ("MaxBurstLength", "262144"),
            ("FirstBurstLength", "16777215"),
            ("MaxRecvDataSegmentLength", "262144"),
            ("MaxOutstandingR2T", "4"),
            ("DefaultTime2Wait", "0"),
            ("X-com.example.Thing", "1"),
        ]);
        let get = |k: &str| out.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        assert_eq!(get("HeaderDigest"), Some("None"));
        assert_eq!(get("FirstBurstLength"), Some("262144"));
        assert_eq!(get("MaxOutstandingR2T"), Some("1"));
        assert_eq!(get("DefaultTime2Wait"), Some("2"));
        assert_eq!(get("X-com.example.Thing"), Some("NotUnderstood"));
        assert_eq!(get("MaxRecvDataSegmentLength"), None);
        assert_eq!(get("InitiatorName"), None);
        assert!(n.initial_r2t && n.immediate_data && !n.header_digest);
        assert_eq!(n.initiator_mrdsl, 262_144);
        assert_eq!(n.first_burst_length, 262_144);
    }

    #[test]
    fn digests_follow_the_initiators_order() {
        let (_, n) = run(&[("HeaderDigest", "CRC32C,None"), ("DataDigest", "CRC32C")]);
        assert!(n.header_digest && n.data_digest);
        let (out, _) = run(&[("DataDigest", "MD5")]);
        assert_eq!(out[0].1, "Reject");
    }

    #[test]
    fn out_of_range_numbers_are_rejected_not_clamped() {
        let (out, n) = run(&[("MaxBurstLength", "12"), ("MaxRecvDataSegmentLength", "x")]);
        assert_eq!(
            out,
            vec![("MaxBurstLength".to_string(), "Reject".to_string())]
        );
        assert_eq!(n.initiator_mrdsl, LOGIN_MAX_DATA_SEGMENT);
    }
}
