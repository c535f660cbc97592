//! The typed PDUs (RFC 7143 §11.3–§11.18): one struct per opcode, declared from a table of
//! its BHS fields and read from and written to a BHS by [`Pdu`](super::Pdu).

use super::{Opcode, PduError, RESERVED_TAG};
use discburn_mmc::wire::u8_at;

/// Declares the typed PDUs from tables of their BHS fields (after RFC 7143's figures): per
/// opcode the struct (named as its [`Opcode`], docs kept), per field its name, type, place
/// in the BHS and docs, with the places of the MMC crate's `command!` tables (`bit(byte,
/// bit)`, `bits(byte, mask << shift)`, `u8(byte)`, `be16(byte)`, `be32(byte)`,
/// `bytes(byte)`). After a table, `fixed place = value;` is a bit or field `write` always
/// sets (F on single-PDU messages, the reserved ITT) and `read` ignores, and `check f;`
/// runs `f(opcode, bhs)` on the raw header before `read` reads it, for the rules that tie
/// flags together. Generated per struct: `read`, never panicking on a short buffer (bytes
/// past the end read as 0), and `write`, into a zeroed BHS whose opcode byte is set.
macro_rules! pdus {
    ($(
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty = $place:ident ($($arg:tt)*) ),+ $(,)?
        }
        $(fixed $xplace:ident ($($xarg:tt)*) = $xvalue:expr;)*
        $(check $check:ident;)?
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )+
        }

        impl $name {
            /// Reads the PDU from a BHS, after its `check`.
            pub(super) fn read(b: &[u8]) -> Result<Self, PduError> {
                $( $check(Opcode::$name, b)?; )?
                Ok($name {
                    $( $field: discburn_mmc::place!(get b, $ty, $place($($arg)*)), )+
                })
            }

            /// Writes the PDU's fields (and its fixed bits) into a BHS zeroed but for the
            /// opcode.
            pub(super) fn write(&self, b: &mut [u8]) {
                $( discburn_mmc::place!(put b, $xvalue, $xplace($($xarg)*)); )*
                $( discburn_mmc::place!(put b, self.$field, $place($($arg)*)); )+
            }
        }
    )*};
}

/// Task management function codes (RFC 7143 §11.5.1).
pub mod tmf {
    /// ABORT TASK.
    pub const ABORT_TASK: u8 = 1;
    /// ABORT TASK SET.
    pub const ABORT_TASK_SET: u8 = 2;
    /// LOGICAL UNIT RESET.
    pub const LOGICAL_UNIT_RESET: u8 = 5;
}

/// Login stages (RFC 7143 §11.12.3: CSG/NSG).
pub mod stage {
    /// SecurityNegotiation.
    pub const SECURITY: u8 = 0;
    /// LoginOperationalNegotiation.
    pub const OPERATIONAL: u8 = 1;
    /// FullFeaturePhase.
    pub const FULL_FEATURE: u8 = 3;
}

pdus! {
    /// NOP-Out (RFC 7143 §11.18): a ping, or the answer to a target's ping.
    pub struct NopOut {
        /// I bit.
        pub immediate: bool = bit(0, 6),
        /// LUN (echoed from the NOP-In it answers).
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag; [`RESERVED_TAG`](super::RESERVED_TAG) when answering a target's ping.
        pub itt: u32 = be32(16),
        /// Target Transfer Tag; [`RESERVED_TAG`](super::RESERVED_TAG) for an initiator ping.
        pub ttt: u32 = be32(20),
        /// CmdSN.
        pub cmdsn: u32 = be32(24),
        /// ExpStatSN.
        pub exp_statsn: u32 = be32(28),
    }
    fixed bit(1, 7) = true;

    /// NOP-In (RFC 7143 §11.19): a target ping, or the answer to ours.
    pub struct NopIn {
        /// LUN.
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag of the NOP-Out answered, or [`RESERVED_TAG`](super::RESERVED_TAG).
        pub itt: u32 = be32(16),
        /// Target Transfer Tag; not [`RESERVED_TAG`](super::RESERVED_TAG) when the target wants an answer.
        pub ttt: u32 = be32(20),
        /// StatSN.
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
    }
    fixed bit(1, 7) = true;

    /// SCSI Command (RFC 7143 §11.3).
    pub struct ScsiCommand {
        /// I bit.
        pub immediate: bool = bit(0, 6),
        /// F bit: no unsolicited Data-Out PDUs follow.
        pub final_: bool = bit(1, 7),
        /// R bit: data from the target.
        pub read: bool = bit(1, 6),
        /// W bit: data to the target.
        pub write: bool = bit(1, 5),
        /// Task attributes (1 = SIMPLE).
        pub attr: u8 = bits(1, 0x07 << 0),
        /// LUN.
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// Expected Data Transfer Length.
        pub edtl: u32 = be32(20),
        /// CmdSN.
        pub cmdsn: u32 = be32(24),
        /// ExpStatSN.
        pub exp_statsn: u32 = be32(28),
        /// The CDB, zero-padded to 16 bytes.
        pub cdb: [u8; 16] = bytes(32),
    }

    /// SCSI Response (RFC 7143 §11.4). The data segment carries sense data.
    pub struct ScsiResponse {
        /// o bit: bidirectional read residual overflow.
        pub bidi_overflow: bool = bit(1, 4),
        /// u bit: bidirectional read residual underflow.
        pub bidi_underflow: bool = bit(1, 3),
        /// O bit: residual overflow.
        pub overflow: bool = bit(1, 2),
        /// U bit: residual underflow.
        pub underflow: bool = bit(1, 1),
        /// iSCSI response code (00h: command completed at target).
        pub response: u8 = u8(2),
        /// SCSI status.
        pub status: u8 = u8(3),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// SNACK Tag.
        pub snack_tag: u32 = be32(20),
        /// StatSN.
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
        /// ExpDataSN.
        pub exp_datasn: u32 = be32(36),
        /// Bidirectional Read Residual Count.
        pub bidi_residual: u32 = be32(40),
        /// Residual Count.
        pub residual: u32 = be32(44),
    }
    fixed bit(1, 7) = true;
    check residual_flags;

    /// SCSI Task Management Function Request (RFC 7143 §11.5).
    pub struct TaskMgmtRequest {
        /// I bit.
        pub immediate: bool = bit(0, 6),
        /// Function (see [`tmf`]).
        pub function: u8 = bits(1, 0x7f << 0),
        /// LUN.
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag of this request.
        pub itt: u32 = be32(16),
        /// Referenced Task Tag: the task to abort.
        pub referenced_task_tag: u32 = be32(20),
        /// CmdSN.
        pub cmdsn: u32 = be32(24),
        /// ExpStatSN.
        pub exp_statsn: u32 = be32(28),
        /// RefCmdSN: the CmdSN of the task to abort.
        pub ref_cmdsn: u32 = be32(32),
        /// ExpDataSN.
        pub exp_datasn: u32 = be32(36),
    }
    fixed bit(1, 7) = true;

    /// SCSI Task Management Function Response (RFC 7143 §11.6).
    pub struct TaskMgmtResponse {
        /// Response (0 function complete, 1 task does not exist, 2 LUN does not exist, …).
        pub response: u8 = u8(2),
        /// Initiator Task Tag of the request answered.
        pub itt: u32 = be32(16),
        /// StatSN.
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
    }
    fixed bit(1, 7) = true;

    /// Login Request (RFC 7143 §11.12).
    pub struct LoginRequest {
        /// T bit: transit to `nsg`.
        pub transit: bool = bit(1, 7),
        /// C bit: text continues in the next PDU.
        pub cont: bool = bit(1, 6),
        /// Current stage.
        pub csg: u8 = bits(1, 0x03 << 2),
        /// Next stage.
        pub nsg: u8 = bits(1, 0x03 << 0),
        /// Version-max.
        pub version_max: u8 = u8(2),
        /// Version-min.
        pub version_min: u8 = u8(3),
        /// Initiator part of the session identifier.
        pub isid: [u8; 6] = bytes(8),
        /// Target-assigned session identifying handle (0 for a new session).
        pub tsih: u16 = be16(14),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// Connection ID.
        pub cid: u16 = be16(20),
        /// CmdSN.
        pub cmdsn: u32 = be32(24),
        /// ExpStatSN.
        pub exp_statsn: u32 = be32(28),
    }
    fixed bit(0, 6) = true;
    check login_stages;

    /// Login Response (RFC 7143 §11.13).
    pub struct LoginResponse {
        /// T bit.
        pub transit: bool = bit(1, 7),
        /// C bit.
        pub cont: bool = bit(1, 6),
        /// Current stage.
        pub csg: u8 = bits(1, 0x03 << 2),
        /// Next stage.
        pub nsg: u8 = bits(1, 0x03 << 0),
        /// Version-max.
        pub version_max: u8 = u8(2),
        /// Version-active.
        pub version_active: u8 = u8(3),
        /// ISID echoed.
        pub isid: [u8; 6] = bytes(8),
        /// TSIH assigned by the target (final response).
        pub tsih: u16 = be16(14),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// StatSN.
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
        /// Status-Class (0 success, 1 redirection, 2 initiator error, 3 target error).
        pub status_class: u8 = u8(36),
        /// Status-Detail.
        pub status_detail: u8 = u8(37),
    }
    check login_response_flags;

    /// Text Request (RFC 7143 §11.10): key=value text in full feature phase (SendTargets).
    pub struct TextRequest {
        /// I bit.
        pub immediate: bool = bit(0, 6),
        /// F bit: the last PDU of the request's text.
        pub final_: bool = bit(1, 7),
        /// C bit: the text continues in the next PDU.
        pub cont: bool = bit(1, 6),
        /// LUN (reserved unless a key needs it).
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// Target Transfer Tag: [`RESERVED_TAG`](super::RESERVED_TAG) for a new request, else echoed from the
        /// response being continued.
        pub ttt: u32 = be32(20),
        /// CmdSN.
        pub cmdsn: u32 = be32(24),
        /// ExpStatSN.
        pub exp_statsn: u32 = be32(28),
    }

    /// Text Response (RFC 7143 §11.11).
    pub struct TextResponse {
        /// F bit: the last PDU of the response's text.
        pub final_: bool = bit(1, 7),
        /// C bit: the text continues in the next PDU.
        pub cont: bool = bit(1, 6),
        /// LUN.
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag of the request answered.
        pub itt: u32 = be32(16),
        /// Target Transfer Tag: [`RESERVED_TAG`](super::RESERVED_TAG) on the final response.
        pub ttt: u32 = be32(20),
        /// StatSN.
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
    }

    /// SCSI Data-Out (RFC 7143 §11.7).
    pub struct DataOut {
        /// F bit: last PDU of the sequence.
        pub final_: bool = bit(1, 7),
        /// LUN.
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// Target Transfer Tag (from the R2T; [`RESERVED_TAG`](super::RESERVED_TAG) for unsolicited data).
        pub ttt: u32 = be32(20),
        /// ExpStatSN.
        pub exp_statsn: u32 = be32(28),
        /// DataSN within the sequence.
        pub datasn: u32 = be32(36),
        /// Buffer Offset.
        pub offset: u32 = be32(40),
    }

    /// SCSI Data-In (RFC 7143 §11.7).
    pub struct DataIn {
        /// F bit.
        pub final_: bool = bit(1, 7),
        /// A bit (DataACK requested; ERL > 0 only).
        pub ack: bool = bit(1, 6),
        /// O bit (with S).
        pub overflow: bool = bit(1, 2),
        /// U bit (with S).
        pub underflow: bool = bit(1, 1),
        /// S bit: the PDU carries the command's status.
        pub has_status: bool = bit(1, 0),
        /// SCSI status (valid with S).
        pub status: u8 = u8(3),
        /// LUN.
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// Target Transfer Tag.
        pub ttt: u32 = be32(20),
        /// StatSN (valid with S).
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
        /// DataSN.
        pub datasn: u32 = be32(36),
        /// Buffer Offset.
        pub offset: u32 = be32(40),
        /// Residual Count (valid with S).
        pub residual: u32 = be32(44),
    }
    check data_in_flags;

    /// Logout Request (RFC 7143 §11.14).
    pub struct LogoutRequest {
        /// I bit.
        pub immediate: bool = bit(0, 6),
        /// Reason code (0 close the session).
        pub reason: u8 = bits(1, 0x7f << 0),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// Connection ID.
        pub cid: u16 = be16(20),
        /// CmdSN.
        pub cmdsn: u32 = be32(24),
        /// ExpStatSN.
        pub exp_statsn: u32 = be32(28),
    }
    fixed bit(1, 7) = true;

    /// Logout Response (RFC 7143 §11.15).
    pub struct LogoutResponse {
        /// Response (0 closed successfully).
        pub response: u8 = u8(2),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// StatSN.
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
        /// Time2Wait.
        pub time2wait: u16 = be16(40),
        /// Time2Retain.
        pub time2retain: u16 = be16(42),
    }
    fixed bit(1, 7) = true;

    /// Ready To Transfer (RFC 7143 §11.8).
    pub struct R2t {
        /// LUN.
        pub lun: [u8; 8] = bytes(8),
        /// Initiator Task Tag.
        pub itt: u32 = be32(16),
        /// Target Transfer Tag to echo in the Data-Out PDUs.
        pub ttt: u32 = be32(20),
        /// StatSN (the next one; not advanced).
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
        /// R2TSN.
        pub r2tsn: u32 = be32(36),
        /// Buffer Offset.
        pub offset: u32 = be32(40),
        /// Desired Data Transfer Length.
        pub desired_len: u32 = be32(44),
    }
    fixed bit(1, 7) = true;

    /// Asynchronous Message (RFC 7143 §11.9).
    pub struct AsyncMessage {
        /// LUN.
        pub lun: [u8; 8] = bytes(8),
        /// StatSN.
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
        /// AsyncEvent (0 SCSI event, 1 logout requested, 2 connection drop, 3 session drop, 4 renegotiate).
        pub event: u8 = u8(36),
        /// AsyncVCode.
        pub vcode: u8 = u8(37),
        /// Parameter1.
        pub param1: u16 = be16(38),
        /// Parameter2.
        pub param2: u16 = be16(40),
        /// Parameter3.
        pub param3: u16 = be16(42),
    }
    fixed bit(1, 7) = true;
    fixed be32(16) = RESERVED_TAG;

    /// Reject (RFC 7143 §11.17). The data segment holds the rejected PDU's header.
    pub struct Reject {
        /// Reason code.
        pub reason: u8 = u8(2),
        /// StatSN.
        pub statsn: u32 = be32(24),
        /// ExpCmdSN.
        pub exp_cmdsn: u32 = be32(28),
        /// MaxCmdSN.
        pub max_cmdsn: u32 = be32(32),
        /// DataSN/R2TSN.
        pub datasn: u32 = be32(36),
    }
    fixed bit(1, 7) = true;
    fixed be32(16) = RESERVED_TAG;
}

impl ScsiResponse {
    /// The data segment carrying `sense` (RFC 7143 §11.4.7.2: SenseLength, 2 bytes, then
    /// the sense data); empty without sense. Sense past 65,535 bytes is cut.
    pub fn sense_segment(sense: &[u8]) -> Vec<u8> {
        if sense.is_empty() {
            return Vec::new();
        }
        let sense = &sense[..sense.len().min(usize::from(u16::MAX))];
        let mut segment = Vec::with_capacity(2 + sense.len());
        segment.extend_from_slice(&(sense.len() as u16).to_be_bytes());
        segment.extend_from_slice(sense);
        segment
    }

    /// The sense data in a data segment (what [`sense_segment`](Self::sense_segment)
    /// writes): SenseLength bytes, bounded by what arrived; empty without a SenseLength.
    pub fn sense(segment: &[u8]) -> &[u8] {
        let Some(data) = segment.get(2..) else {
            return &[];
        };
        let n = usize::from(u16::from_be_bytes([segment[0], segment[1]]));
        data.get(..n).unwrap_or(data)
    }
}

/// Byte 1 of a BHS: the F bit and the opcode-specific flags.
fn flags(b: &[u8]) -> u8 {
    u8_at(b, 1)
}

fn invalid_flags(op: Opcode, field: &'static str, b: &[u8]) -> PduError {
    PduError::Invalid {
        opcode: op,
        field,
        value: u64::from(flags(b)),
    }
}

fn check_stage(op: Opcode, field: &'static str, v: u8) -> Result<(), PduError> {
    if v == 2 {
        Err(PduError::Invalid {
            opcode: op,
            field,
            value: 2,
        })
    } else {
        Ok(())
    }
}

/// CSG, and NSG when T is set, are not the reserved stage 2 (RFC 7143 §11.12.3).
fn login_stages(op: Opcode, b: &[u8]) -> Result<(), PduError> {
    let fl = flags(b);
    check_stage(op, "CSG", (fl >> 2) & 3)?;
    if fl & 0x80 != 0 {
        check_stage(op, "NSG", fl & 3)?;
    }
    Ok(())
}

/// The stages, and T and C not both set (RFC 7143 §11.13.2).
fn login_response_flags(op: Opcode, b: &[u8]) -> Result<(), PduError> {
    login_stages(op, b)?;
    if flags(b) & 0xc0 == 0xc0 {
        return Err(invalid_flags(op, "T and C bits", b));
    }
    Ok(())
}

/// O and U, and o and u, are not both set (RFC 7143 §11.4).
fn residual_flags(op: Opcode, b: &[u8]) -> Result<(), PduError> {
    let fl = flags(b);
    if fl & 0x06 == 0x06 || fl & 0x18 == 0x18 {
        return Err(invalid_flags(op, "residual flags (O and U both set)", b));
    }
    Ok(())
}

/// S only with F, and O and U not both set (RFC 7143 §11.7).
fn data_in_flags(op: Opcode, b: &[u8]) -> Result<(), PduError> {
    let fl = flags(b);
    if (fl & 0x01 != 0 && fl & 0x80 == 0) || fl & 0x06 == 0x06 {
        return Err(invalid_flags(op, "flags (S without F, or O with U)", b));
    }
    Ok(())
}
