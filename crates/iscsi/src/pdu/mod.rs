//! iSCSI PDUs (RFC 7143 §11): the Basic Header Segment, its typed `Repr`s, and framing
//! (BHS + AHS + header digest + padded data segment + data digest).
//!
//! The contract, after smoltcp's `wire`: [`Bhs`] is a view whose accessors never panic;
//! [`Pdu::parse`] validates a header and yields the typed form; [`Pdu::emit`] writes it
//! back. [`Decoder`] frames a byte stream into [`Frame`]s and refuses, before buffering
//! them, data segments longer than the negotiated MaxRecvDataSegmentLength — so a
//! malicious peer cannot make the initiator allocate more than one bounded segment.
//! CRC32C digests (RFC 7143 §12.1) are little-endian on the wire, as in Appendix B.4.

use discburn_mmc::wire::{be24, be32, u8_at};

mod frame;
mod kinds;

pub use frame::{encode, encode_to_vec, pad_len, Decoder, Digests, Frame};
pub use kinds::{
    stage, tmf, AsyncMessage, DataIn, DataOut, LoginRequest, LoginResponse, LogoutRequest,
    LogoutResponse, NopIn, NopOut, R2t, Reject, ScsiCommand, ScsiResponse, TaskMgmtRequest,
    TaskMgmtResponse, TextRequest, TextResponse,
};

/// Length of the Basic Header Segment.
pub const BHS_LEN: usize = 48;
/// Length of a CRC32C header or data digest.
pub const DIGEST_LEN: usize = 4;
/// The reserved tag value 0xffffffff ("no task", "no target transfer tag").
pub const RESERVED_TAG: u32 = 0xffff_ffff;
/// Largest data segment the initiator ever accepts, whatever was negotiated
/// (the hard ceiling behind MaxRecvDataSegmentLength).
pub const HARD_MAX_DATA_SEGMENT: u32 = 1 << 20;
/// MaxRecvDataSegmentLength in force before (and during) login (RFC 7143 §13.12).
pub const LOGIN_MAX_DATA_SEGMENT: u32 = 8192;

/// Byte offsets of the BHS fields every opcode shares (RFC 7143 §11.2.1); the
/// per-opcode fields are placed in the tables of [`kinds`].
mod field {
    pub const OPCODE: usize = 0;
    pub const FLAGS: usize = 1;
    pub const AHS_LEN: usize = 4;
    pub const DSL: usize = 5;
    pub const ITT: usize = 16;
}

const IMMEDIATE: u8 = 0x40;

discburn_mmc::wire_enum! {
    /// Operation codes (RFC 7143 §11.2.1.2).
    pub enum Opcode: u8 & 0x3f {
        /// 00h NOP-Out.
        NopOut = 0x00 => "NOP-Out",
        /// 01h SCSI Command.
        ScsiCommand = 0x01 => "SCSI Command",
        /// 02h SCSI Task Management Function Request.
        TaskMgmtRequest = 0x02 => "SCSI Task Management Function Request",
        /// 03h Login Request.
        LoginRequest = 0x03 => "Login Request",
        /// 04h Text Request.
        TextRequest = 0x04 => "Text Request",
        /// 05h SCSI Data-Out.
        DataOut = 0x05 => "SCSI Data-Out",
        /// 06h Logout Request.
        LogoutRequest = 0x06 => "Logout Request",
        /// 10h SNACK Request.
        Snack = 0x10 => "SNACK Request",
        /// 20h NOP-In.
        NopIn = 0x20 => "NOP-In",
        /// 21h SCSI Response.
        ScsiResponse = 0x21 => "SCSI Response",
        /// 22h SCSI Task Management Function Response.
        TaskMgmtResponse = 0x22 => "SCSI Task Management Function Response",
        /// 23h Login Response.
        LoginResponse = 0x23 => "Login Response",
        /// 24h Text Response.
        TextResponse = 0x24 => "Text Response",
        /// 25h SCSI Data-In.
        DataIn = 0x25 => "SCSI Data-In",
        /// 26h Logout Response.
        LogoutResponse = 0x26 => "Logout Response",
        /// 31h Ready To Transfer (R2T).
        R2t = 0x31 => "Ready To Transfer",
        /// 32h Asynchronous Message.
        AsyncMessage = 0x32 => "Asynchronous Message",
        /// 3Fh Reject.
        Reject = 0x3f => "Reject",
        /// Any other 6-bit value, kept as received.
        Unknown => "unknown opcode",
    }
}

/// Why a PDU could not be framed or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PduError {
    /// The header is shorter than 48 bytes.
    #[error("truncated BHS: {0} bytes")]
    Truncated(usize),
    /// The data segment is longer than we declared we can receive.
    #[error("data segment of {len} bytes exceeds MaxRecvDataSegmentLength {max}")]
    DataSegmentTooLong {
        /// DataSegmentLength in the header.
        len: usize,
        /// The limit in force.
        max: usize,
    },
    /// The header digest does not match.
    #[error("header digest mismatch: received {received:#010x}, computed {computed:#010x}")]
    HeaderDigest {
        /// Digest on the wire.
        received: u32,
        /// Digest computed over BHS and AHS.
        computed: u32,
    },
    /// The data digest does not match.
    #[error("data digest mismatch: received {received:#010x}, computed {computed:#010x}")]
    DataDigest {
        /// Digest on the wire.
        received: u32,
        /// Digest computed over the padded data segment.
        computed: u32,
    },
    /// An opcode this initiator does not handle.
    #[error("unsupported opcode {0:#04x}")]
    UnsupportedOpcode(u8),
    /// A header field holds a value the standard does not allow.
    #[error("invalid {field} in {opcode:?}: {value:#x}")]
    Invalid {
        /// The PDU's opcode.
        opcode: Opcode,
        /// The field's name in RFC 7143.
        field: &'static str,
        /// The offending value.
        value: u64,
    },
}

/// A view of a Basic Header Segment. Accessors never panic: bytes past the end read as 0.
#[derive(Debug, Clone, Copy)]
pub struct Bhs<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Bhs<T> {
    /// Wraps a buffer without checking its length.
    pub fn new_unchecked(buffer: T) -> Self {
        Bhs { buffer }
    }

    /// Wraps a buffer of at least [`BHS_LEN`] bytes.
    pub fn new_checked(buffer: T) -> Result<Self, PduError> {
        let len = buffer.as_ref().len();
        if len < BHS_LEN {
            return Err(PduError::Truncated(len));
        }
        Ok(Bhs { buffer })
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The opcode (byte 0, bits 0..5).
    pub fn opcode(&self) -> Opcode {
        Opcode::from(u8_at(self.b(), field::OPCODE))
    }

    /// The I bit: immediate delivery.
    pub fn immediate(&self) -> bool {
        u8_at(self.b(), field::OPCODE) & IMMEDIATE != 0
    }

    /// Byte 1: the F bit and opcode-specific flags.
    pub fn flags(&self) -> u8 {
        u8_at(self.b(), field::FLAGS)
    }

    /// TotalAHSLength in bytes (the field counts 4-byte words).
    pub fn total_ahs_len(&self) -> usize {
        usize::from(u8_at(self.b(), field::AHS_LEN)) * 4
    }

    /// DataSegmentLength in bytes, without padding.
    pub fn data_segment_len(&self) -> usize {
        be24(self.b(), field::DSL) as usize
    }

    /// The Initiator Task Tag.
    pub fn itt(&self) -> u32 {
        be32(self.b(), field::ITT)
    }

    /// The big-endian 32-bit word at byte `at`.
    pub fn word(&self, at: usize) -> u32 {
        be32(self.b(), at)
    }
}

/// Encodes a LUN number for the BHS LUN field (SAM-5 §4.7: peripheral device addressing
/// below 256, flat space addressing up to 16383).
pub fn encode_lun(lun: u16) -> [u8; 8] {
    let mut out = [0u8; 8];
    if lun < 256 {
        out[1] = lun as u8;
    } else {
        out[0] = 0x40 | ((lun >> 8) as u8 & 0x3f);
        out[1] = lun as u8;
    }
    out
}

/// Declares [`Pdu`] from the list of the typed PDUs (each named as its [`Opcode`]), with
/// the opcode of each and the dispatch of `parse` and `emit` to its `read` and `write`.
macro_rules! pdu_enum {
    ($( $(#[$meta:meta])* $kind:ident, )*) => {
        /// The typed form of a BHS: every PDU this initiator sends or understands.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Pdu {
            $( $(#[$meta])* $kind($kind), )*
        }

        impl Pdu {
            /// Parses and validates a BHS (the first 48 bytes of `buf`).
            pub fn parse(buf: &[u8]) -> Result<Pdu, PduError> {
                let v = Bhs::new_checked(buf)?;
                match v.opcode() {
                    $( Opcode::$kind => $kind::read(buf).map(Pdu::$kind), )*
                    other => Err(PduError::UnsupportedOpcode(u8::from(other))),
                }
            }

            /// The opcode of this PDU.
            pub fn opcode(&self) -> Opcode {
                match self {
                    $( Pdu::$kind(_) => Opcode::$kind, )*
                }
            }

            /// Writes this PDU's BHS. TotalAHSLength and DataSegmentLength are left zero;
            /// [`encode`] fills them in.
            pub fn emit(&self, b: &mut [u8; BHS_LEN]) {
                *b = [0u8; BHS_LEN];
                b[field::OPCODE] = u8::from(self.opcode());
                match self {
                    $( Pdu::$kind(p) => p.write(b), )*
                }
            }
        }
    };
}

pdu_enum! {
    /// NOP-Out.
    NopOut,
    /// SCSI Command.
    ScsiCommand,
    /// Task Management Function Request.
    TaskMgmtRequest,
    /// Login Request.
    LoginRequest,
    /// Text Request.
    TextRequest,
    /// SCSI Data-Out.
    DataOut,
    /// Logout Request.
    LogoutRequest,
    /// NOP-In.
    NopIn,
    /// SCSI Response.
    ScsiResponse,
    /// Task Management Function Response.
    TaskMgmtResponse,
    /// Login Response.
    LoginResponse,
    /// Text Response.
    TextResponse,
    /// SCSI Data-In.
    DataIn,
    /// Logout Response.
    LogoutResponse,
    /// R2T.
    R2t,
    /// Asynchronous Message.
    AsyncMessage,
    /// Reject.
    Reject,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sense_segment_round_trips() {
        assert!(ScsiResponse::sense_segment(&[]).is_empty());
        let seg = ScsiResponse::sense_segment(&[0x70, 0, 2]);
        assert_eq!(seg, [0, 3, 0x70, 0, 2]);
        assert_eq!(ScsiResponse::sense(&seg), &[0x70, 0, 2]);
        // A SenseLength past what arrived reads what arrived; none at all reads nothing.
        assert_eq!(ScsiResponse::sense(&[0, 9, 0x70]), &[0x70]);
        assert_eq!(ScsiResponse::sense(&[0]), &[] as &[u8]);
        assert_eq!(ScsiResponse::sense(&[0, 1, 0x70, 0xAA]), &[0x70]);
    }

    #[test]
    fn crc32c_matches_rfc7143_appendix_b4() {
        // 32 bytes of zeroes: CRC aa 36 91 8a in wire order.
        assert_eq!(
            crc32c::crc32c(&[0u8; 32]).to_le_bytes(),
            [0xaa, 0x36, 0x91, 0x8a]
        );
        // 32 bytes of ones: 43 ab a8 62.
        assert_eq!(
            crc32c::crc32c(&[0xffu8; 32]).to_le_bytes(),
            [0x43, 0xab, 0xa8, 0x62]
        );
        // Incrementing 0..31: 4e 79 dd 46.
        let inc: Vec<u8> = (0u8..32).collect();
        assert_eq!(crc32c::crc32c(&inc).to_le_bytes(), [0x4e, 0x79, 0xdd, 0x46]);
    }

    /// A SCSI Command PDU for WRITE(10) of 2 blocks, byte by byte per RFC 7143 §11.3.
    const WRITE_CMD: [u8; 48] = [
        0x01, 0xa1, 0, 0, // opcode; F | W | SIMPLE
        0, 0, 0, 0, // AHS, DSL
        0, 1, 0, 0, 0, 0, 0, 0, // LUN 1
        0, 0, 0, 7, // ITT
        0, 0, 0x10, 0, // EDTL 4096
        0, 0, 0, 3, // CmdSN
        0, 0, 0, 9, // ExpStatSN
        0x2a, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, // CDB WRITE(10)
    ];

    #[test]
    fn scsi_command_deconstruct_and_construct() {
        let p = Pdu::parse(&WRITE_CMD).unwrap();
        let Pdu::ScsiCommand(c) = p else {
            panic!("{p:?}")
        };
        assert!(c.final_ && c.write && !c.read && !c.immediate);
        assert_eq!(c.attr, 1);
        assert_eq!(c.lun, encode_lun(1));
        assert_eq!((c.itt, c.edtl, c.cmdsn, c.exp_statsn), (7, 4096, 3, 9));
        assert_eq!(c.cdb[0], 0x2a);
        let mut out = [0u8; 48];
        p.emit(&mut out);
        assert_eq!(out, WRITE_CMD);
    }

    #[test]
    fn login_response_and_data_in_round_trip() {
        let pdus = [
            Pdu::LoginResponse(LoginResponse {
                transit: true,
                cont: false,
                csg: 1,
                nsg: 3,
                version_max: 0,
                version_active: 0,
                isid: [0x80, 1, 2, 3, 4, 5],
                tsih: 0x1234,
                itt: 9,
                statsn: 100,
                exp_cmdsn: 1,
                max_cmdsn: 64,
                status_class: 0,
                status_detail: 0,
            }),
            Pdu::DataIn(DataIn {
                final_: true,
                ack: false,
                overflow: false,
                underflow: true,
                has_status: true,
                status: 0,
                lun: encode_lun(1),
                itt: 4,
                ttt: RESERVED_TAG,
                statsn: 5,
                exp_cmdsn: 6,
                max_cmdsn: 7,
                datasn: 0,
                offset: 0,
                residual: 12,
            }),
            Pdu::R2t(R2t {
                lun: encode_lun(300),
                itt: 1,
                ttt: 2,
                statsn: 3,
                exp_cmdsn: 4,
                max_cmdsn: 5,
                r2tsn: 6,
                offset: 65536,
                desired_len: 262144,
            }),
        ];
        for p in pdus {
            let mut b = [0u8; 48];
            p.emit(&mut b);
            assert_eq!(Pdu::parse(&b).unwrap(), p);
        }
        assert_eq!(encode_lun(300), [0x41, 0x2c, 0, 0, 0, 0, 0, 0]);
    }

    const BOTH_DIGESTS: Digests = Digests {
        header: true,
        data: true,
    };

    /// A NOP-In with these tags and StatSN/ExpCmdSN/MaxCmdSN 1, 2, 3.
    fn nop_in(itt: u32, ttt: u32) -> Pdu {
        Pdu::NopIn(NopIn {
            lun: [0; 8],
            itt,
            ttt,
            statsn: 1,
            exp_cmdsn: 2,
            max_cmdsn: 3,
        })
    }

    #[test]
    fn framing_with_digests_and_padding() {
        let (pdu, digests) = (nop_in(RESERVED_TAG, 5), BOTH_DIGESTS);
        let bytes = encode_to_vec(&pdu, b"hello", digests);
        assert_eq!(bytes.len(), 48 + 4 + 5 + 3 + 4);
        let mut d = Decoder::new();
        d.set_digests(digests);
        // Byte by byte: nothing until the last byte arrives.
        for (i, b) in bytes.iter().enumerate() {
            d.push(&[*b]);
            let f = d.next_frame().unwrap();
            assert_eq!(f.is_some(), i == bytes.len() - 1);
            if let Some(f) = f {
                assert_eq!(f.data, b"hello");
                assert_eq!(f.pdu().unwrap(), pdu);
            }
        }
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn bad_digests_and_oversized_segments_are_refused() {
        let (pdu, digests) = (nop_in(1, RESERVED_TAG), BOTH_DIGESTS);
        let good = encode_to_vec(&pdu, b"abcd", digests);
        let mut bad_header = good.clone();
        bad_header[20] ^= 1;
        let mut d = Decoder::new();
        d.set_digests(digests);
        d.push(&bad_header);
        assert!(matches!(d.next_frame(), Err(PduError::HeaderDigest { .. })));

        let mut bad_data = good.clone();
        let n = bad_data.len();
        bad_data[n - 6] ^= 1;
        let mut d = Decoder::new();
        d.set_digests(digests);
        d.push(&bad_data);
        assert!(matches!(d.next_frame(), Err(PduError::DataDigest { .. })));

        // A header announcing 16 MiB is refused from its 48 bytes alone.
        let mut huge = encode_to_vec(&pdu, b"", Digests::default());
        huge[5..8].copy_from_slice(&[0xff, 0xff, 0xff]);
        let mut d = Decoder::new();
        d.push(&huge);
        assert_eq!(
            d.next_frame(),
            Err(PduError::DataSegmentTooLong {
                len: 0xff_ffff,
                max: 8192
            })
        );
    }

    #[test]
    fn invalid_flag_combinations_are_errors() {
        let mut b = [0u8; 48];
        b[0] = 0x25;
        b[1] = 0x01; // S without F
        assert!(Pdu::parse(&b).is_err());
        b[0] = 0x21;
        b[1] = 0x86; // O and U
        assert!(Pdu::parse(&b).is_err());
        b[0] = 0x23;
        b[1] = 0xc0 | 0x0b; // T and C
        assert!(Pdu::parse(&b).is_err());
        b[0] = 0x10; // SNACK (Text Request, 04h, is understood now)
        assert_eq!(Pdu::parse(&b), Err(PduError::UnsupportedOpcode(0x10)));
        assert_eq!(Pdu::parse(&b[..10]), Err(PduError::Truncated(10)));
    }
}
