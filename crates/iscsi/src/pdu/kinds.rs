//! The typed PDUs (RFC 7143 §11.3–§11.18): one struct per opcode, read from and written to a
//! BHS by [`Pdu`](super::Pdu).

/// NOP-Out (RFC 7143 §11.18): a ping, or the answer to a target's ping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NopOut {
    /// I bit.
    pub immediate: bool,
    /// LUN (echoed from the NOP-In it answers).
    pub lun: [u8; 8],
    /// Initiator Task Tag; [`RESERVED_TAG`](super::RESERVED_TAG) when answering a target's ping.
    pub itt: u32,
    /// Target Transfer Tag; [`RESERVED_TAG`](super::RESERVED_TAG) for an initiator ping.
    pub ttt: u32,
    /// CmdSN.
    pub cmdsn: u32,
    /// ExpStatSN.
    pub exp_statsn: u32,
}

/// NOP-In (RFC 7143 §11.19): a target ping, or the answer to ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NopIn {
    /// LUN.
    pub lun: [u8; 8],
    /// Initiator Task Tag of the NOP-Out answered, or [`RESERVED_TAG`](super::RESERVED_TAG).
    pub itt: u32,
    /// Target Transfer Tag; not [`RESERVED_TAG`](super::RESERVED_TAG) when the target wants an answer.
    pub ttt: u32,
    /// StatSN.
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
}

/// SCSI Command (RFC 7143 §11.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScsiCommand {
    /// I bit.
    pub immediate: bool,
    /// F bit: no unsolicited Data-Out PDUs follow.
    pub final_: bool,
    /// R bit: data from the target.
    pub read: bool,
    /// W bit: data to the target.
    pub write: bool,
    /// Task attributes (1 = SIMPLE).
    pub attr: u8,
    /// LUN.
    pub lun: [u8; 8],
    /// Initiator Task Tag.
    pub itt: u32,
    /// Expected Data Transfer Length.
    pub edtl: u32,
    /// CmdSN.
    pub cmdsn: u32,
    /// ExpStatSN.
    pub exp_statsn: u32,
    /// The CDB, zero-padded to 16 bytes.
    pub cdb: [u8; 16],
}

/// SCSI Response (RFC 7143 §11.4). The data segment carries sense data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScsiResponse {
    /// o bit: bidirectional read residual overflow.
    pub bidi_overflow: bool,
    /// u bit: bidirectional read residual underflow.
    pub bidi_underflow: bool,
    /// O bit: residual overflow.
    pub overflow: bool,
    /// U bit: residual underflow.
    pub underflow: bool,
    /// iSCSI response code (00h: command completed at target).
    pub response: u8,
    /// SCSI status.
    pub status: u8,
    /// Initiator Task Tag.
    pub itt: u32,
    /// SNACK Tag.
    pub snack_tag: u32,
    /// StatSN.
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
    /// ExpDataSN.
    pub exp_datasn: u32,
    /// Bidirectional Read Residual Count.
    pub bidi_residual: u32,
    /// Residual Count.
    pub residual: u32,
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

/// SCSI Task Management Function Request (RFC 7143 §11.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskMgmtRequest {
    /// I bit.
    pub immediate: bool,
    /// Function (see [`tmf`]).
    pub function: u8,
    /// LUN.
    pub lun: [u8; 8],
    /// Initiator Task Tag of this request.
    pub itt: u32,
    /// Referenced Task Tag: the task to abort.
    pub referenced_task_tag: u32,
    /// CmdSN.
    pub cmdsn: u32,
    /// ExpStatSN.
    pub exp_statsn: u32,
    /// RefCmdSN: the CmdSN of the task to abort.
    pub ref_cmdsn: u32,
    /// ExpDataSN.
    pub exp_datasn: u32,
}

/// SCSI Task Management Function Response (RFC 7143 §11.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskMgmtResponse {
    /// Response (0 function complete, 1 task does not exist, 2 LUN does not exist, …).
    pub response: u8,
    /// Initiator Task Tag of the request answered.
    pub itt: u32,
    /// StatSN.
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
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

/// Login Request (RFC 7143 §11.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginRequest {
    /// T bit: transit to `nsg`.
    pub transit: bool,
    /// C bit: text continues in the next PDU.
    pub cont: bool,
    /// Current stage.
    pub csg: u8,
    /// Next stage.
    pub nsg: u8,
    /// Version-max.
    pub version_max: u8,
    /// Version-min.
    pub version_min: u8,
    /// Initiator part of the session identifier.
    pub isid: [u8; 6],
    /// Target-assigned session identifying handle (0 for a new session).
    pub tsih: u16,
    /// Initiator Task Tag.
    pub itt: u32,
    /// Connection ID.
    pub cid: u16,
    /// CmdSN.
    pub cmdsn: u32,
    /// ExpStatSN.
    pub exp_statsn: u32,
}

/// Login Response (RFC 7143 §11.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginResponse {
    /// T bit.
    pub transit: bool,
    /// C bit.
    pub cont: bool,
    /// Current stage.
    pub csg: u8,
    /// Next stage.
    pub nsg: u8,
    /// Version-max.
    pub version_max: u8,
    /// Version-active.
    pub version_active: u8,
    /// ISID echoed.
    pub isid: [u8; 6],
    /// TSIH assigned by the target (final response).
    pub tsih: u16,
    /// Initiator Task Tag.
    pub itt: u32,
    /// StatSN.
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
    /// Status-Class (0 success, 1 redirection, 2 initiator error, 3 target error).
    pub status_class: u8,
    /// Status-Detail.
    pub status_detail: u8,
}

/// Text Request (RFC 7143 §11.10): key=value text in full feature phase (SendTargets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRequest {
    /// I bit.
    pub immediate: bool,
    /// F bit: the last PDU of the request's text.
    pub final_: bool,
    /// C bit: the text continues in the next PDU.
    pub cont: bool,
    /// LUN (reserved unless a key needs it).
    pub lun: [u8; 8],
    /// Initiator Task Tag.
    pub itt: u32,
    /// Target Transfer Tag: [`RESERVED_TAG`](super::RESERVED_TAG) for a new request, else echoed from the
    /// response being continued.
    pub ttt: u32,
    /// CmdSN.
    pub cmdsn: u32,
    /// ExpStatSN.
    pub exp_statsn: u32,
}

/// Text Response (RFC 7143 §11.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextResponse {
    /// F bit: the last PDU of the response's text.
    pub final_: bool,
    /// C bit: the text continues in the next PDU.
    pub cont: bool,
    /// LUN.
    pub lun: [u8; 8],
    /// Initiator Task Tag of the request answered.
    pub itt: u32,
    /// Target Transfer Tag: [`RESERVED_TAG`](super::RESERVED_TAG) on the final response.
    pub ttt: u32,
    /// StatSN.
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
}

/// SCSI Data-Out (RFC 7143 §11.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataOut {
    /// F bit: last PDU of the sequence.
    pub final_: bool,
    /// LUN.
    pub lun: [u8; 8],
    /// Initiator Task Tag.
    pub itt: u32,
    /// Target Transfer Tag (from the R2T; [`RESERVED_TAG`](super::RESERVED_TAG) for unsolicited data).
    pub ttt: u32,
    /// ExpStatSN.
    pub exp_statsn: u32,
    /// DataSN within the sequence.
    pub datasn: u32,
    /// Buffer Offset.
    pub offset: u32,
}

/// SCSI Data-In (RFC 7143 §11.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataIn {
    /// F bit.
    pub final_: bool,
    /// A bit (DataACK requested; ERL > 0 only).
    pub ack: bool,
    /// O bit (with S).
    pub overflow: bool,
    /// U bit (with S).
    pub underflow: bool,
    /// S bit: the PDU carries the command's status.
    pub has_status: bool,
    /// SCSI status (valid with S).
    pub status: u8,
    /// LUN.
    pub lun: [u8; 8],
    /// Initiator Task Tag.
    pub itt: u32,
    /// Target Transfer Tag.
    pub ttt: u32,
    /// StatSN (valid with S).
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
    /// DataSN.
    pub datasn: u32,
    /// Buffer Offset.
    pub offset: u32,
    /// Residual Count (valid with S).
    pub residual: u32,
}

/// Logout Request (RFC 7143 §11.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogoutRequest {
    /// I bit.
    pub immediate: bool,
    /// Reason code (0 close the session).
    pub reason: u8,
    /// Initiator Task Tag.
    pub itt: u32,
    /// Connection ID.
    pub cid: u16,
    /// CmdSN.
    pub cmdsn: u32,
    /// ExpStatSN.
    pub exp_statsn: u32,
}

/// Logout Response (RFC 7143 §11.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogoutResponse {
    /// Response (0 closed successfully).
    pub response: u8,
    /// Initiator Task Tag.
    pub itt: u32,
    /// StatSN.
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
    /// Time2Wait.
    pub time2wait: u16,
    /// Time2Retain.
    pub time2retain: u16,
}

/// Ready To Transfer (RFC 7143 §11.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R2t {
    /// LUN.
    pub lun: [u8; 8],
    /// Initiator Task Tag.
    pub itt: u32,
    /// Target Transfer Tag to echo in the Data-Out PDUs.
    pub ttt: u32,
    /// StatSN (the next one; not advanced).
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
    /// R2TSN.
    pub r2tsn: u32,
    /// Buffer Offset.
    pub offset: u32,
    /// Desired Data Transfer Length.
    pub desired_len: u32,
}

/// Asynchronous Message (RFC 7143 §11.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsyncMessage {
    /// LUN.
    pub lun: [u8; 8],
    /// StatSN.
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
    /// AsyncEvent (0 SCSI event, 1 logout requested, 2 connection drop, 3 session drop, 4 renegotiate).
    pub event: u8,
    /// AsyncVCode.
    pub vcode: u8,
    /// Parameter1.
    pub param1: u16,
    /// Parameter2.
    pub param2: u16,
    /// Parameter3.
    pub param3: u16,
}

/// Reject (RFC 7143 §11.17). The data segment holds the rejected PDU's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reject {
    /// Reason code.
    pub reason: u8,
    /// StatSN.
    pub statsn: u32,
    /// ExpCmdSN.
    pub exp_cmdsn: u32,
    /// MaxCmdSN.
    pub max_cmdsn: u32,
    /// DataSN/R2TSN.
    pub datasn: u32,
}
