//! The streaming block emitter: turns a [`Plan`] into the image's bytes in ascending
//! order, pulling file data through [`FileData`]. Memory does not grow with file size:
//! file bytes pass straight from the source into the caller's buffer; only the plan's
//! structures (proportional to the number of entries) are held.

use std::io;

use crate::plan::{FileId, Plan, Region, BLOCK_SIZE};

/// Where file data come from: the bytes `offset..offset + buf.len()` of `file`.
pub trait FileData {
    /// Fills `buf` with the bytes of `file` from `offset`; the range is within the
    /// file's planned length.
    fn read_at(&mut self, file: FileId, offset: u64, buf: &mut [u8]) -> io::Result<()>;
}

impl<F: FnMut(FileId, u64, &mut [u8]) -> io::Result<()>> FileData for F {
    fn read_at(&mut self, file: FileId, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self(file, offset, buf)
    }
}

/// What the next bytes of the image are, from [`UdfStream::next_chunk`].
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk {
    /// `n` bytes were written into the buffer.
    Bytes(usize),
    /// The next `n` bytes are zero (not written; a sparse sink seeks over them).
    Zeros(u64),
    /// The image is complete.
    End,
}

/// The image of a [`Plan`] as a byte stream ([`io::Read`]), in ascending order.
pub struct UdfStream<'p, D> {
    plan: &'p Plan,
    data: D,
    /// Byte position in the image.
    pos: u64,
    /// The first region that ends after `pos`.
    region: usize,
}

impl<'p, D: FileData> UdfStream<'p, D> {
    /// A stream of `plan`'s image from its first byte.
    pub fn new(plan: &'p Plan, data: D) -> Self {
        UdfStream {
            plan,
            data,
            pos: 0,
            region: 0,
        }
    }

    /// Bytes of the whole image.
    pub fn len(&self) -> u64 {
        self.plan.total_blocks * BLOCK_SIZE
    }

    /// True if the image has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Byte position of the next chunk.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// The next bytes of the image: written into `buf` (structures or file data), or a
    /// run of zeros reported without being written.
    pub fn next_chunk(&mut self, buf: &mut [u8]) -> io::Result<Chunk> {
        let end = self.len();
        if self.pos >= end {
            return Ok(Chunk::End);
        }
        while let Some(r) = self.plan.regions.get(self.region) {
            if r.block() * BLOCK_SIZE + r.byte_len() > self.pos {
                break;
            }
            self.region += 1;
        }
        let Some(r) = self.plan.regions.get(self.region) else {
            let n = end - self.pos;
            self.pos = end;
            return Ok(Chunk::Zeros(n));
        };
        let start = r.block() * BLOCK_SIZE;
        if self.pos < start {
            let n = start - self.pos;
            self.pos = start;
            return Ok(Chunk::Zeros(n));
        }
        let within = self.pos - start;
        let n = ((r.byte_len() - within).min(buf.len() as u64)) as usize;
        match r {
            Region::Meta { bytes, .. } => {
                let src = crate::wire::bytes_at(bytes, within as usize, n);
                buf[..src.len()].copy_from_slice(src);
            }
            Region::File { file, offset, .. } => {
                self.data.read_at(*file, offset + within, &mut buf[..n])?;
            }
        }
        self.pos += n as u64;
        Ok(Chunk::Bytes(n))
    }

    /// Writes the image to a seekable sink, seeking over zero runs (a sparse file);
    /// returns the bytes of the image.
    pub fn write_sparse<W: io::Write + io::Seek>(&mut self, out: &mut W) -> io::Result<u64> {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match self.next_chunk(&mut buf)? {
                Chunk::Bytes(n) => out.write_all(&buf[..n])?,
                Chunk::Zeros(n) => {
                    let n = i64::try_from(n).map_err(io::Error::other)?;
                    out.seek(io::SeekFrom::Current(n))?;
                }
                Chunk::End => break,
            }
        }
        // The last block is always the AVDP (bytes, never a skipped run), so the sink
        // ends at the image's length.
        let end = self.len();
        Ok(end)
    }
}

impl<D: FileData> io::Read for UdfStream<'_, D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.next_chunk(buf)? {
            Chunk::Bytes(n) => Ok(n),
            Chunk::Zeros(n) => {
                let k = (n.min(buf.len() as u64)) as usize;
                buf[..k].fill(0);
                // Give back what did not fit: the zero run resumes on the next read.
                self.pos -= n - k as u64;
                Ok(k)
            }
            Chunk::End => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desc::UnixTime;
    use crate::plan::{plan, Entry, Meta, Node, Options, Revision, Tree};
    use std::io::Read;

    #[test]
    fn a_large_file_streams_through_a_fixed_buffer() {
        let len = 5u64 << 30;
        let tree = Tree {
            root: Meta::default(),
            entries: vec![Entry {
                name: b"big.bin".to_vec(),
                meta: Meta::default(),
                node: Node::File { id: FileId(7), len },
            }],
        };
        let p = plan(
            &tree,
            &Options::new(Revision::V2_50, "BIG", UnixTime::default()),
        )
        .unwrap();
        let mut max_req = 0usize;
        let mut total_data = 0u64;
        let data = |_: FileId, off: u64, buf: &mut [u8]| {
            assert!(off + buf.len() as u64 <= len);
            max_req = max_req.max(buf.len());
            total_data += buf.len() as u64;
            buf.fill(0xA5);
            Ok(())
        };
        let mut s = UdfStream::new(&p, data);
        let mut buf = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            total += n as u64;
        }
        assert_eq!(total, p.total_blocks * BLOCK_SIZE);
        let _ = s;
        assert_eq!(total_data, len);
        assert!(max_req <= 1 << 20);
    }
}
