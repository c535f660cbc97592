//! The SHA-256 of the bytes a burn sends to the drive, computed while they stream (the
//! burn record's source digest, issue 16): the data and any padding the burn added, in
//! the order written, without reading the source a second time.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// A reader that hashes what passes through it.
pub(super) struct Sha256Tap<R> {
    inner: R,
    state: Arc<Mutex<Sha256>>,
}

/// Yields the digest of what went through a [`Sha256Tap`].
#[derive(Clone)]
pub(super) struct Sha256Handle(Arc<Mutex<Sha256>>);

impl<R: Read> Sha256Tap<R> {
    pub(super) fn new(inner: R) -> Self {
        Sha256Tap {
            inner,
            state: Arc::new(Mutex::new(Sha256::new())),
        }
    }

    pub(super) fn handle(&self) -> Sha256Handle {
        Sha256Handle(Arc::clone(&self.state))
    }
}

impl<R: Read> Read for Sha256Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .update(&buf[..n]);
        Ok(n)
    }
}

impl Sha256Handle {
    /// Lowercase hex of the digest of everything read so far.
    pub(super) fn hex(&self) -> String {
        let d = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .finalize();
        d.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256_of_what_was_read() {
        let mut tap = Sha256Tap::new(&b"abc"[..]);
        let h = tap.handle();
        io::copy(&mut tap, &mut io::sink()).unwrap();
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            h.hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
