//! Data buffers aligned the way the adapter wants them.
//!
//! The kernel maps an SG_IO buffer straight into the request when its address and
//! length meet the queue's `dma_alignment`; otherwise it copies through a bounce
//! buffer. Writers that keep a pool of sector buffers allocate them here, with the
//! alignment from [`Transport::limits`](crate::Transport::limits).

use std::ops::{Deref, DerefMut};

use crate::transport::Limits;

/// Largest alignment a buffer is given: 64 KiB, the largest page size Linux runs with. A
/// stricter alignment also meets any smaller requirement, so a bigger value (from sysfs,
/// or a hostile limit) is clamped to this rather than allocated for.
pub const MAX_ALIGNMENT: usize = 64 << 10;

/// A zero-initialised byte buffer whose first byte sits at a multiple of `align`.
///
/// Built without `unsafe`: it over-allocates by `align - 1` bytes and views the aligned
/// window. It dereferences to `[u8]`, so it goes straight into
/// [`Request::data_out`](crate::Request::data_out) and friends.
pub struct AlignedBuf {
    storage: Vec<u8>,
    offset: usize,
    len: usize,
    align: usize,
}

impl AlignedBuf {
    /// `len` zero bytes aligned to `align` (rounded up to a power of two, at most
    /// [`MAX_ALIGNMENT`]; 0 and 1 mean no alignment).
    /// Like `vec!`, it panics only when `len` bytes cannot be allocated at all.
    pub fn zeroed(len: usize, align: usize) -> Self {
        let align = align.clamp(1, MAX_ALIGNMENT).next_power_of_two();
        let storage = vec![0u8; len.saturating_add(align - 1)];
        // `align_offset` may decline (returns usize::MAX) only for pointers it cannot
        // reason about; a heap byte pointer is not one of them, but stay total anyway.
        let offset = match storage.as_ptr().align_offset(align) {
            off if off < align => off,
            _ => 0,
        };
        AlignedBuf {
            storage,
            offset,
            len,
            align,
        }
    }

    /// `len` zero bytes aligned as `limits` asks
    /// (IDiscRecorder2Ex::GetByteAlignmentMask + 1).
    pub fn for_limits(len: usize, limits: &Limits) -> Self {
        Self::zeroed(len, limits.alignment)
    }

    /// The alignment this buffer was built for.
    pub fn align(&self) -> usize {
        self.align
    }

    /// True when the buffer's address really is a multiple of [`align`](Self::align).
    pub fn is_aligned(&self) -> bool {
        (self.as_ptr() as usize).is_multiple_of(self.align)
    }
}

impl Clone for AlignedBuf {
    // A derived clone would copy the Vec to a new address and lose the alignment.
    fn clone(&self) -> Self {
        let mut copy = AlignedBuf::zeroed(self.len, self.align);
        copy.copy_from_slice(self);
        copy
    }
}

impl Deref for AlignedBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.storage[self.offset..self.offset + self.len]
    }
}

impl DerefMut for AlignedBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.storage[self.offset..self.offset + self.len]
    }
}

impl AsRef<[u8]> for AlignedBuf {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl AsMut<[u8]> for AlignedBuf {
    fn as_mut(&mut self) -> &mut [u8] {
        self
    }
}

impl std::fmt::Debug for AlignedBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlignedBuf")
            .field("len", &self.len)
            .field("align", &self.align)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_alignment_is_capped() {
        let b = AlignedBuf::zeroed(16, usize::MAX);
        assert_eq!(b.align(), MAX_ALIGNMENT);
        assert!(b.is_aligned());
        assert_eq!(b.len(), 16);
    }

    #[test]
    fn aligned_for_common_masks() {
        for align in [1usize, 2, 4, 8, 512, 4096] {
            for len in [0usize, 1, 2048, 65536] {
                let mut b = AlignedBuf::zeroed(len, align);
                assert_eq!(b.len(), len);
                assert_eq!(b.align(), align);
                assert!(b.is_aligned(), "align {align} len {len}");
                assert_eq!(b.as_ptr() as usize % align, 0);
                assert!(b.iter().all(|&x| x == 0));
                if len > 0 {
                    b[len - 1] = 7;
                    assert_eq!(b.as_ref()[len - 1], 7);
                }
            }
        }
    }

    #[test]
    fn odd_alignment_rounds_up_to_power_of_two() {
        let b = AlignedBuf::zeroed(10, 3);
        assert_eq!(b.align(), 4);
        assert!(b.is_aligned());
        assert_eq!(AlignedBuf::zeroed(1, 0).align(), 1);
    }

    #[test]
    fn follows_limits() {
        let limits = Limits {
            max_transfer: 65536,
            alignment: 512,
            max_in_flight: 1,
        };
        let b = AlignedBuf::for_limits(2048, &limits);
        assert_eq!(b.align(), 512);
        assert!(b.is_aligned());
    }

    #[test]
    fn clone_keeps_alignment_and_contents() {
        let mut a = AlignedBuf::zeroed(4096, 4096);
        a[0] = 1;
        let b = a.clone();
        assert_eq!(b[0], 1);
        assert_eq!(b.len(), 4096);
        assert!(b.is_aligned());
    }
}
