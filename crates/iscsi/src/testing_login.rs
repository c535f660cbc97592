//! Test support for this crate's tests and fuzz targets, not part of the API: the bytes
//! of a leading login that goes straight to Full Feature Phase.
#![doc(hidden)]

use crate::pdu::{self, stage, Digests, LoginRequest, Pdu};

/// RFC 7143 §11.12 Login Request, the leading one (ISID 80 00 00 00 00 01, TSIH 0,
/// ITT 1, CmdSN 1): transit from operational negotiation to Full Feature Phase with
/// `text` (NUL-terminated `key=value` pairs) as its data segment, without digests.
pub fn full_feature_login(text: &str) -> Vec<u8> {
    let req = Pdu::LoginRequest(LoginRequest {
        transit: true,
        cont: false,
        csg: stage::OPERATIONAL,
        nsg: stage::FULL_FEATURE,
        version_max: 0,
        version_min: 0,
        isid: [0x80, 0, 0, 0, 0, 1],
        tsih: 0,
        itt: 1,
        cid: 0,
        cmdsn: 1,
        exp_statsn: 0,
    });
    pdu::encode_to_vec(&req, text.as_bytes(), Digests::default())
}
