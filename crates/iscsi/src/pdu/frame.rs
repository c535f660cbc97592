//! Framing (RFC 7143 §11.1, §12.1): BHS + AHS + header digest + padded data segment + data
//! digest, and the [`Decoder`] that cuts a byte stream into bounded [`Frame`]s.

use super::{
    field, Bhs, Pdu, PduError, BHS_LEN, DIGEST_LEN, HARD_MAX_DATA_SEGMENT, LOGIN_MAX_DATA_SEGMENT,
};

/// Which digests are in force on a connection (RFC 7143 §13.1; none during login).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Digests {
    /// HeaderDigest=CRC32C.
    pub header: bool,
    /// DataDigest=CRC32C.
    pub data: bool,
}

/// Bytes of padding after a data segment of `len` bytes (to a 4-byte boundary).
pub fn pad_len(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// CRC32C of `data` followed by `pad` zero bytes (the data digest covers the padding).
pub(super) fn crc_padded(data: &[u8], pad: usize) -> u32 {
    let crc = crc32c::crc32c(data);
    crc32c::crc32c_append(crc, &[0u8; 3][..pad])
}

/// Appends one PDU to `out`: BHS, header digest, data segment, padding, data digest.
/// Data longer than 2^24-1 bytes cannot be framed; callers split data by the
/// negotiated MaxRecvDataSegmentLength long before that.
pub fn encode(pdu: &Pdu, data: &[u8], digests: Digests, out: &mut Vec<u8>) {
    let mut bhs = [0u8; BHS_LEN];
    pdu.emit(&mut bhs);
    let dsl = data.len().min(0x00ff_ffff);
    let data = &data[..dsl];
    bhs[field::DSL..field::DSL + 3].copy_from_slice(&(dsl as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&bhs);
    if digests.header {
        out.extend_from_slice(&crc32c::crc32c(&bhs).to_le_bytes());
    }
    if !data.is_empty() {
        let pad = pad_len(dsl);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0u8; 3][..pad]);
        if digests.data {
            out.extend_from_slice(&crc_padded(data, pad).to_le_bytes());
        }
    }
}

/// Encodes one PDU into a new buffer (see [`encode`]).
pub fn encode_to_vec(pdu: &Pdu, data: &[u8], digests: Digests) -> Vec<u8> {
    let mut out = Vec::with_capacity(BHS_LEN + 8 + data.len() + 3);
    encode(pdu, data, digests, &mut out);
    out
}

/// One PDU as framed off the wire: its header, additional header segments and data
/// segment (padding and digests removed after checking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The Basic Header Segment.
    pub bhs: [u8; BHS_LEN],
    /// Additional Header Segments, raw.
    pub ahs: Vec<u8>,
    /// The data segment without padding.
    pub data: Vec<u8>,
}

impl Frame {
    /// The header parsed into its typed form.
    pub fn pdu(&self) -> Result<Pdu, PduError> {
        Pdu::parse(&self.bhs)
    }
}

/// Frames a byte stream into PDUs.
///
/// Memory is bounded: a header announcing a data segment above the limit is refused as
/// soon as its 48 bytes are in, and the internal buffer never holds more than what was
/// pushed and not yet framed.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    start: usize,
    digests: Digests,
    max_data_segment: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder for the login phase: no digests, MaxRecvDataSegmentLength 8192.
    pub fn new() -> Self {
        Decoder {
            buf: Vec::new(),
            start: 0,
            digests: Digests::default(),
            max_data_segment: LOGIN_MAX_DATA_SEGMENT as usize,
        }
    }

    /// Switches digests (after login, as negotiated).
    pub fn set_digests(&mut self, digests: Digests) {
        self.digests = digests;
    }

    /// Sets the largest data segment accepted, capped by [`HARD_MAX_DATA_SEGMENT`].
    pub fn set_max_data_segment(&mut self, max: u32) {
        self.max_data_segment = max.min(HARD_MAX_DATA_SEGMENT) as usize;
    }

    /// The largest data segment currently accepted.
    pub fn max_data_segment(&self) -> usize {
        self.max_data_segment
    }

    /// Bytes received and not yet framed.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 64 * 1024 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Frames the next complete PDU, if all its bytes are in.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, PduError> {
        let avail = &self.buf[self.start..];
        if avail.len() < BHS_LEN {
            return Ok(None);
        }
        let view = Bhs::new_unchecked(&avail[..BHS_LEN]);
        let ahs_len = view.total_ahs_len();
        let dsl = view.data_segment_len();
        if dsl > self.max_data_segment {
            return Err(PduError::DataSegmentTooLong {
                len: dsl,
                max: self.max_data_segment,
            });
        }
        let hd = if self.digests.header { DIGEST_LEN } else { 0 };
        let pad = pad_len(dsl);
        let dd = if self.digests.data && dsl > 0 {
            DIGEST_LEN
        } else {
            0
        };
        let total = BHS_LEN + ahs_len + hd + dsl + pad + dd;
        if avail.len() < total {
            return Ok(None);
        }
        let header_end = BHS_LEN + ahs_len;
        if hd > 0 {
            let computed = crc32c::crc32c(&avail[..header_end]);
            let received = u32::from_le_bytes([
                avail[header_end],
                avail[header_end + 1],
                avail[header_end + 2],
                avail[header_end + 3],
            ]);
            if computed != received {
                return Err(PduError::HeaderDigest { received, computed });
            }
        }
        let data_start = header_end + hd;
        let data = &avail[data_start..data_start + dsl];
        if dd > 0 {
            let at = data_start + dsl + pad;
            // The digest covers the padding bytes as received.
            let computed = crc32c::crc32c(&avail[data_start..at]);
            let received =
                u32::from_le_bytes([avail[at], avail[at + 1], avail[at + 2], avail[at + 3]]);
            if computed != received {
                return Err(PduError::DataDigest { received, computed });
            }
        }
        let mut bhs = [0u8; BHS_LEN];
        bhs.copy_from_slice(&avail[..BHS_LEN]);
        let frame = Frame {
            bhs,
            ahs: avail[BHS_LEN..header_end].to_vec(),
            data: data.to_vec(),
        };
        self.start += total;
        Ok(Some(frame))
    }
}
