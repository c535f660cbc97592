//! The R-W sub-channel of lead-in sectors as the host sends it with CD-Text (MMC-6
//! §4.2.5.3, MMC-3 Annex J): a cue sheet whose lead-in entry selects R-W sub-channel data
//! makes the host write the lead-in as 96-byte blocks, each carrying four 18-byte CD-Text
//! packs as 96 six-bit symbols (one symbol in the low six bits of each byte; the drive
//! adds the P and Q bits, interleaving and error correction).

use crate::cdtext::PACK_LEN;

/// Bytes of sub-channel per sector.
pub const RW_LEN: usize = 96;
/// CD-Text packs one lead-in sector carries.
pub const PACKS_PER_SECTOR: usize = 4;

/// Spreads four packs (72 bytes, 576 bits) over 96 six-bit symbols.
pub fn pack_rw(packs: &[[u8; PACK_LEN]; PACKS_PER_SECTOR]) -> [u8; RW_LEN] {
    let mut out = [0u8; RW_LEN];
    let bytes = packs.iter().flat_map(|p| p.iter().copied());
    let mut sym = 0;
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = acc << 8 | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out[sym] = ((acc >> bits) & 0x3F) as u8;
            sym += 1;
        }
    }
    out
}

/// Gathers the four packs a sector's 96 symbols carry (the inverse of [`pack_rw`]; the
/// top two bits of each byte, P and Q, are ignored).
pub fn unpack_rw(sub: &[u8; RW_LEN]) -> [[u8; PACK_LEN]; PACKS_PER_SECTOR] {
    let mut flat = [0u8; PACK_LEN * PACKS_PER_SECTOR];
    let mut at = 0;
    let mut acc: u32 = 0;
    let mut bits = 0;
    for s in sub {
        acc = acc << 6 | u32::from(s & 0x3F);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            flat[at] = (acc >> bits) as u8;
            at += 1;
        }
    }
    let mut packs = [[0u8; PACK_LEN]; PACKS_PER_SECTOR];
    for (p, chunk) in packs.iter_mut().zip(flat.chunks_exact(PACK_LEN)) {
        p.copy_from_slice(chunk);
    }
    packs
}

/// The lead-in sub-channel cycle carrying `packs`: `ceil(n / 4)` sectors, the last one
/// completed with the first packs again (the cycle repeats through the whole lead-in, so
/// a reader that starts anywhere sees every pack). Empty for no packs.
pub fn lead_in_cycle(packs: &[[u8; PACK_LEN]]) -> Vec<[u8; RW_LEN]> {
    if packs.is_empty() {
        return Vec::new();
    }
    let sectors = packs.len().div_ceil(PACKS_PER_SECTOR);
    (0..sectors)
        .map(|s| {
            let four = core::array::from_fn(|i| packs[(s * PACKS_PER_SECTOR + i) % packs.len()]);
            pack_rw(&four)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_use_six_bits_and_round_trip() {
        let packs: [[u8; PACK_LEN]; 4] =
            core::array::from_fn(|i| core::array::from_fn(|j| (i * 18 + j) as u8 ^ 0xA5));
        let sub = pack_rw(&packs);
        assert!(sub.iter().all(|s| s & 0xC0 == 0));
        assert_eq!(unpack_rw(&sub), packs);
        // P and Q bits set by a drive do not change the packs.
        let mut pq = sub;
        for s in &mut pq {
            *s |= 0xC0;
        }
        assert_eq!(unpack_rw(&pq), packs);
    }

    #[test]
    fn the_first_symbols_are_the_first_pack_id() {
        let mut p = [[0u8; PACK_LEN]; 4];
        p[0][0] = 0x80; // ID1 TITLE: 1000 0000
        let sub = pack_rw(&p);
        assert_eq!(sub[0], 0b10_0000);
        assert_eq!(sub[1], 0);
    }

    #[test]
    fn the_cycle_repeats_the_packs_to_fill_sectors() {
        let packs: Vec<[u8; PACK_LEN]> = (0..5u8).map(|i| [i; PACK_LEN]).collect();
        let cycle = lead_in_cycle(&packs);
        assert_eq!(cycle.len(), 2);
        let second = unpack_rw(&cycle[1]);
        assert_eq!(second[0], [4; PACK_LEN]);
        assert_eq!(second[1], [0; PACK_LEN], "wraps to the first pack");
        assert!(lead_in_cycle(&[]).is_empty());
    }
}
