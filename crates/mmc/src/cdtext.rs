//! CD-Text (MMC-3 Annex J, Red Book/IEC 60908 CD-Text mode): the 18-byte packs a recorder
//! writes into the lead-in's R-W subchannel — from a cue sheet's CD-Text mode or raw R-W —
//! and READ TOC/PMA/ATIP format 5 returns.
//!
//! A pack is `ID1` pack type, `ID2` track (0 for the disc; bit 7 the extension flag),
//! `ID3` sequence number within its block, `ID4` double-byte flag (bit 7), block number
//! (bits 6–4) and character position (bits 3–0: how many characters of the string the
//! text field starts in were in earlier packs, at most 15), twelve bytes of text and a
//! CRC-16 (x^16 + x^12 + x^5 + 1 over the first 16 bytes, stored inverted, MSB first).
//! Each text pack type holds the disc's string and then every track's, each ended by NUL
//! (two NULs in double-byte blocks), run together across packs; a TAB (two in double-byte
//! blocks) stands for "as the previous track". Every block ends with three size
//! information packs (0x8F): character code, first and last track, copyright flags, the
//! pack count per type, the last sequence number and the language of every block.
//!
//! [`encode`] builds the packs of a [`CdText`]; [`decode`] reads them back, checking
//! every CRC and never trusting a count or a length inside the data.

use std::collections::BTreeMap;

use crate::wire;

crate::wire_enum! {
    /// A pack's type (ID1): what its text or data is.
    pub enum PackType: u8 {
        /// 80h: title of the disc or track.
        Title = 0x80 => "TITLE",
        /// 81h: performer(s).
        Performer = 0x81 => "PERFORMER",
        /// 82h: songwriter(s).
        Songwriter = 0x82 => "SONGWRITER",
        /// 83h: composer(s).
        Composer = 0x83 => "COMPOSER",
        /// 84h: arranger(s).
        Arranger = 0x84 => "ARRANGER",
        /// 85h: message from the content provider or artist.
        Message = 0x85 => "MESSAGE",
        /// 86h: disc identification (catalogue number; disc only).
        DiscId = 0x86 => "DISC_ID",
        /// 87h: genre (a 2-byte code, then text; disc only).
        Genre = 0x87 => "GENRE",
        /// 88h: table of contents (binary).
        Toc = 0x88 => "TOC_INFO",
        /// 89h: second table of contents (binary).
        Toc2 = 0x89 => "TOC_INFO2",
        /// 8Dh: closed information (for the content provider only).
        Closed = 0x8D => "CLOSED",
        /// 8Eh: UPC/EAN of the disc, ISRC of each track.
        UpcIsrc = 0x8E => "UPC_ISRC",
        /// 8Fh: size information of the block.
        SizeInfo = 0x8F => "SIZE_INFO",
        /// Any other value, kept as read.
        Unknown => "unknown pack type",
    }
}

// In code order, so a block's texts are kept (and written) in pack type order.
impl Ord for PackType {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        u8::from(*self).cmp(&u8::from(*other))
    }
}

impl PartialOrd for PackType {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

crate::wire_enum! {
    /// The character code of a block (size information byte 0).
    pub enum CharacterCode: u8 {
        /// 00h: ISO/IEC 8859-1 (Latin-1).
        Iso8859_1 = 0x00 => "ISO-8859-1",
        /// 01h: ISO/IEC 646 (ASCII).
        Ascii = 0x01 => "ASCII",
        /// 80h: MS-JIS (Shift-JIS), double-byte.
        MsJis = 0x80 => "MS-JIS",
        /// 81h: Korean, double-byte.
        Korean = 0x81 => "Korean",
        /// 82h: Mandarin Chinese, double-byte.
        Mandarin = 0x82 => "Mandarin",
        /// Any other value, kept as read.
        Unknown => "unknown character code",
    }
}

impl CharacterCode {
    /// Whether text in this code is double-byte (NUL and TAB are two bytes).
    pub fn is_double_byte(self) -> bool {
        matches!(
            self,
            CharacterCode::MsJis | CharacterCode::Korean | CharacterCode::Mandarin
        )
    }
}

/// Bytes in a pack.
pub const PACK_LEN: usize = 18;
/// Text bytes in a pack.
pub const TEXT_LEN: usize = 12;
/// Blocks (languages) a disc can hold.
pub const MAX_BLOCKS: usize = 8;
/// Packs a block can hold: sequence numbers are one byte.
pub const MAX_PACKS_PER_BLOCK: usize = 256;
/// Size information packs at the end of every block.
const SIZE_PACKS: usize = 3;
/// The EBU Tech 3264 code for English, the language most discs carry.
pub const LANGUAGE_ENGLISH: u8 = 0x09;

/// CRC-16 of a pack's first 16 bytes as stored: polynomial x^16 + x^12 + x^5 + 1, initial
/// value 0, the remainder inverted (Red Book CD-Text; MMC-3 Annex J).
pub fn crc16(data: &[u8]) -> u16 {
    let mut acc: u16 = 0;
    for &b in data {
        acc ^= u16::from(b) << 8;
        for _ in 0..8 {
            acc = if acc & 0x8000 != 0 {
                (acc << 1) ^ 0x1021
            } else {
                acc << 1
            };
        }
    }
    !acc
}

/// One pack, decoded (its CRC checked by [`Pack::parse`], computed by [`Pack::emit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pack {
    /// ID1.
    pub pack_type: PackType,
    /// ID2 bits 6–0: the track the text field starts in (0 = the disc).
    pub track: u8,
    /// ID2 bit 7: extension flag (always 0 on discs this crate writes).
    pub extension: bool,
    /// ID3: sequence number within the block.
    pub sequence: u8,
    /// ID4 bit 7: the block is double-byte.
    pub double_byte: bool,
    /// ID4 bits 6–4: block number (0–7).
    pub block: u8,
    /// ID4 bits 3–0: characters of the current string in earlier packs (15: 15 or more).
    pub char_position: u8,
    /// The payload.
    pub text: [u8; TEXT_LEN],
}

impl Pack {
    /// Reads one pack, failing when it is short or its CRC does not match.
    pub fn parse(b: &[u8]) -> wire::Result<Pack> {
        wire::check_len(b, PACK_LEN)?;
        let stored = wire::be16(b, 16);
        if crc16(&b[..16]) != stored {
            return Err(wire::Error::Invalid {
                field: "CD-Text pack CRC",
                value: u64::from(stored),
            });
        }
        let mut text = [0u8; TEXT_LEN];
        text.copy_from_slice(&b[4..16]);
        Ok(Pack {
            pack_type: PackType::from(b[0]),
            track: b[1] & 0x7F,
            extension: b[1] & 0x80 != 0,
            sequence: b[2],
            double_byte: b[3] & 0x80 != 0,
            block: (b[3] >> 4) & 0x07,
            char_position: b[3] & 0x0F,
            text,
        })
    }

    /// The pack's 18 bytes with its CRC.
    pub fn emit(&self) -> [u8; PACK_LEN] {
        let mut b = [0u8; PACK_LEN];
        b[0] = u8::from(self.pack_type);
        b[1] = (self.track & 0x7F) | if self.extension { 0x80 } else { 0 };
        b[2] = self.sequence;
        b[3] = (u8::from(self.double_byte) << 7)
            | ((self.block & 0x07) << 4)
            | self.char_position.min(15);
        b[4..16].copy_from_slice(&self.text);
        let crc = crc16(&b[..16]);
        wire::put_be16(&mut b, 16, crc);
        b
    }
}

/// The text pack types, in the order they are written.
pub const TEXT_TYPES: [PackType; 7] = [
    PackType::Title,
    PackType::Performer,
    PackType::Songwriter,
    PackType::Composer,
    PackType::Arranger,
    PackType::Message,
    PackType::UpcIsrc,
];

/// One block: the disc's and each track's strings in one language and character code.
/// Strings are bytes in the block's character code (see [`latin1`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Block {
    /// Language (EBU Tech 3264 code; [`LANGUAGE_ENGLISH`] is 09h).
    pub language: u8,
    /// Character code of every string.
    pub character_code: CharacterCode,
    /// Copyright flags (size information byte 3).
    pub copyright: u8,
    /// Per text pack type, the disc's string (index 0) and each track's (index n for the
    /// n-th track of the disc, from [`CdText::first_track`]).
    pub text: BTreeMap<PackType, Vec<Vec<u8>>>,
    /// DISC_ID text (disc only).
    pub disc_id: Option<Vec<u8>>,
    /// GENRE: the genre code (0 = not used) and text (disc only).
    pub genre: Option<(u16, Vec<u8>)>,
}

// Latin-1, as most discs are; wire_enum! types take no `#[default]` variant.
#[allow(clippy::derivable_impls)]
impl Default for CharacterCode {
    fn default() -> Self {
        CharacterCode::Iso8859_1
    }
}

/// The CD-Text of a disc.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CdText {
    /// The first track's number (1 on most discs).
    pub first_track: u8,
    /// The last track's number.
    pub last_track: u8,
    /// Up to [`MAX_BLOCKS`] blocks, block 0 first.
    pub blocks: Vec<Block>,
}

/// Why a [`CdText`] cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CdTextError {
    /// More blocks than a disc holds.
    #[error("{0} CD-Text blocks; a disc holds at most 8 languages")]
    TooManyBlocks(usize),
    /// The track numbers are out of range or reversed.
    #[error("CD-Text tracks {first}–{last}: track numbers run from 1 to 99, first ≤ last")]
    Tracks {
        /// First track.
        first: u8,
        /// Last track.
        last: u8,
    },
    /// A block's strings need more packs than its one-byte sequence numbers allow.
    #[error(
        "CD-Text block {block} needs {packs} packs; a block holds at most 256 (shorten the texts)"
    )]
    BlockTooLong {
        /// Block number.
        block: usize,
        /// Packs needed.
        packs: usize,
    },
    /// A string holds a byte that ends strings (NUL) or a character the block's code
    /// cannot represent.
    #[error("{what}: {why}")]
    Text {
        /// Which string.
        what: String,
        /// Why it cannot be written.
        why: &'static str,
    },
}

/// `s` in ISO-8859-1, for a Latin-1 block; fails on characters outside Latin-1 and on
/// control characters (NUL ends a string, TAB means "as the previous track").
pub fn latin1(s: &str) -> Result<Vec<u8>, CdTextError> {
    s.chars()
        .map(|c| match u32::from(c) {
            v @ (0x20..=0x7E | 0xA0..=0xFF) => Ok(v as u8),
            _ => Err(CdTextError::Text {
                what: format!("{s:?}"),
                why: "CD-Text in ISO-8859-1 holds only printable Latin-1 characters",
            }),
        })
        .collect()
}

/// The packs of `cd` (every block, each ending with its size information), ready for a
/// cue sheet's CD-Text or the lead-in's R-W subchannel.
pub fn encode(cd: &CdText) -> Result<Vec<[u8; PACK_LEN]>, CdTextError> {
    if cd.blocks.len() > MAX_BLOCKS {
        return Err(CdTextError::TooManyBlocks(cd.blocks.len()));
    }
    if cd.first_track == 0 || cd.first_track > cd.last_track || cd.last_track > 99 {
        return Err(CdTextError::Tracks {
            first: cd.first_track,
            last: cd.last_track,
        });
    }
    let strings = usize::from(cd.last_track - cd.first_track) + 2;
    let mut blocks: Vec<Vec<Pack>> = Vec::with_capacity(cd.blocks.len());
    for (n, block) in cd.blocks.iter().enumerate() {
        let mut packs = Vec::new();
        for kind in TEXT_TYPES {
            if let Some(texts) = block.text.get(&kind) {
                let texts: Vec<&[u8]> = (0..strings)
                    .map(|i| texts.get(i).map_or(&[][..], Vec::as_slice))
                    .collect();
                text_packs(kind, &texts, cd.first_track, n as u8, block, &mut packs)?;
            }
        }
        if let Some(id) = &block.disc_id {
            text_packs(PackType::DiscId, &[id], 0, n as u8, block, &mut packs)?;
        }
        if let Some((code, text)) = &block.genre {
            let mut data = code.to_be_bytes().to_vec();
            check_text(text, PackType::Genre, block)?;
            data.extend_from_slice(text);
            data.extend_from_slice(terminator(block));
            chop(
                PackType::Genre,
                // The disc's one record, from its first byte.
                &[(0, 0)],
                &data,
                n as u8,
                block,
                &mut packs,
            );
        }
        if packs.len() + SIZE_PACKS > MAX_PACKS_PER_BLOCK {
            return Err(CdTextError::BlockTooLong {
                block: n,
                packs: packs.len() + SIZE_PACKS,
            });
        }
        blocks.push(packs);
    }
    // Every block's size information lists every block's last sequence number.
    let mut last_sequence = [0u8; MAX_BLOCKS];
    for (n, packs) in blocks.iter().enumerate() {
        last_sequence[n] = (packs.len() + SIZE_PACKS - 1) as u8;
    }
    let mut languages = [0u8; MAX_BLOCKS];
    for (n, b) in cd.blocks.iter().enumerate() {
        languages[n] = b.language;
    }
    let mut out = Vec::new();
    for (n, mut packs) in blocks.into_iter().enumerate() {
        let block = &cd.blocks[n];
        let mut counts = [0u8; 16];
        for p in &packs {
            let i = usize::from(u8::from(p.pack_type) & 0x0F);
            counts[i] = counts[i].saturating_add(1);
        }
        counts[0x0F] = SIZE_PACKS as u8;
        let mut info = Vec::with_capacity(SIZE_PACKS * TEXT_LEN);
        info.push(u8::from(block.character_code));
        info.extend_from_slice(&[cd.first_track, cd.last_track, block.copyright]);
        info.extend_from_slice(&counts);
        info.extend_from_slice(&last_sequence);
        info.extend_from_slice(&languages);
        for (i, chunk) in info.chunks(TEXT_LEN).enumerate() {
            let mut text = [0u8; TEXT_LEN];
            text.copy_from_slice(chunk);
            packs.push(Pack {
                pack_type: PackType::SizeInfo,
                // ID2 of a size information pack is its index (0–2).
                track: i as u8,
                extension: false,
                sequence: 0,
                double_byte: false,
                block: n as u8,
                char_position: 0,
                text,
            });
        }
        for (seq, p) in packs.iter_mut().enumerate() {
            p.sequence = seq as u8;
        }
        out.extend(packs.iter().map(Pack::emit));
    }
    Ok(out)
}

fn terminator(block: &Block) -> &'static [u8] {
    if block.character_code.is_double_byte() {
        &[0, 0]
    } else {
        &[0]
    }
}

fn check_text(text: &[u8], kind: PackType, block: &Block) -> Result<(), CdTextError> {
    // A string of TAB alone would read back as "as the previous track".
    let bad = if block.character_code.is_double_byte() {
        !text.len().is_multiple_of(2) || text.chunks(2).any(|c| c == [0, 0]) || text == [0x09, 0x09]
    } else {
        text.contains(&0) || text == [0x09]
    };
    if bad {
        return Err(CdTextError::Text {
            what: kind.name().to_string(),
            why: "a string may not contain NUL (it ends the string), be TAB alone (it means \"as the previous track\") nor, double-byte, have an odd number of bytes",
        });
    }
    Ok(())
}

/// The packs of one text pack type: the strings run together, each ended by NUL, a
/// repeat of the previous track's string written as TAB.
fn text_packs(
    kind: PackType,
    texts: &[&[u8]],
    first_track: u8,
    block_no: u8,
    block: &Block,
    out: &mut Vec<Pack>,
) -> Result<(), CdTextError> {
    let tab: &[u8] = if block.character_code.is_double_byte() {
        &[0x09, 0x09]
    } else {
        &[0x09]
    };
    let mut data = Vec::new();
    // (track number, byte offset where its string starts)
    let mut starts = Vec::with_capacity(texts.len());
    for (i, t) in texts.iter().enumerate() {
        check_text(t, kind, block)?;
        let track = if i == 0 {
            0
        } else {
            first_track as usize + i - 1
        };
        starts.push((track, data.len()));
        if i >= 2 && !t.is_empty() && *t == texts[i - 1] {
            data.extend_from_slice(tab);
        } else {
            data.extend_from_slice(t);
        }
        data.extend_from_slice(terminator(block));
    }
    chop(kind, &starts, &data, block_no, block, out);
    Ok(())
}

/// Cuts `data` into packs: each names the track whose string its first byte belongs to,
/// and how far into that string it starts.
fn chop(
    kind: PackType,
    starts: &[(usize, usize)],
    data: &[u8],
    block_no: u8,
    block: &Block,
    out: &mut Vec<Pack>,
) {
    let unit = if block.character_code.is_double_byte() {
        2
    } else {
        1
    };
    for (k, chunk) in data.chunks(TEXT_LEN).enumerate() {
        let at = k * TEXT_LEN;
        let (track, start) = starts
            .iter()
            .rev()
            .find(|&&(_, s)| s <= at)
            .copied()
            .unwrap_or((0, 0));
        let mut text = [0u8; TEXT_LEN];
        text[..chunk.len()].copy_from_slice(chunk);
        out.push(Pack {
            pack_type: kind,
            track: track as u8,
            extension: false,
            sequence: 0,
            double_byte: block.character_code.is_double_byte(),
            block: block_no,
            char_position: ((at - start) / unit).min(15) as u8,
            text,
        });
    }
}

/// Why packs could not be read as CD-Text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The data is not a whole number of packs.
    #[error("CD-Text data of {0} bytes is not a whole number of 18-byte packs")]
    Length(usize),
    /// A pack's CRC does not match.
    #[error("CD-Text pack {index} has a bad CRC")]
    Crc {
        /// Index of the pack in the data.
        index: usize,
    },
    /// A block has no size information.
    #[error("CD-Text block {0} has no size information")]
    NoSizeInfo(u8),
}

/// Reads packs (READ TOC/PMA/ATIP format 5 data after its 4-byte header, or what
/// [`encode`] made) back into a [`CdText`]. Strings are split at their terminators and
/// given to the tracks in order from each pack type's first pack; TAB repeats the
/// previous track's string.
pub fn decode(data: &[u8]) -> Result<CdText, DecodeError> {
    if !data.len().is_multiple_of(PACK_LEN) {
        return Err(DecodeError::Length(data.len()));
    }
    let mut packs = Vec::with_capacity(data.len() / PACK_LEN);
    for (index, b) in data.chunks(PACK_LEN).enumerate() {
        packs.push(Pack::parse(b).map_err(|_| DecodeError::Crc { index })?);
    }
    let mut cd = CdText::default();
    for block_no in 0..MAX_BLOCKS as u8 {
        let in_block: Vec<&Pack> = packs.iter().filter(|p| p.block == block_no).collect();
        if in_block.is_empty() {
            continue;
        }
        let info: Vec<u8> = in_block
            .iter()
            .filter(|p| p.pack_type == PackType::SizeInfo)
            .take(SIZE_PACKS)
            .flat_map(|p| p.text)
            .collect();
        if info.len() < SIZE_PACKS * TEXT_LEN {
            return Err(DecodeError::NoSizeInfo(block_no));
        }
        let character_code = CharacterCode::from(info[0]);
        cd.first_track = info[1];
        cd.last_track = info[2];
        let mut block = Block {
            language: info[28 + usize::from(block_no)],
            character_code,
            copyright: info[3],
            ..Block::default()
        };
        let unit = if character_code.is_double_byte() {
            2
        } else {
            1
        };
        for kind in TEXT_TYPES
            .into_iter()
            .chain([PackType::DiscId, PackType::Genre])
        {
            let of_kind: Vec<&&Pack> = in_block.iter().filter(|p| p.pack_type == kind).collect();
            let Some(first) = of_kind.first() else {
                continue;
            };
            let bytes: Vec<u8> = of_kind.iter().flat_map(|p| p.text).collect();
            let strings = split(&bytes, unit);
            match kind {
                PackType::DiscId => block.disc_id = strings.into_iter().next(),
                PackType::Genre => {
                    let code = u16::from_be_bytes([
                        bytes.first().copied().unwrap_or(0),
                        bytes.get(1).copied().unwrap_or(0),
                    ]);
                    let text = split(bytes.get(2..).unwrap_or(&[]), unit)
                        .into_iter()
                        .next()
                        .unwrap_or_default();
                    block.genre = Some((code, text));
                }
                _ => {
                    // Strings from the first pack's track on; at most one per track.
                    let tracks = usize::from(cd.last_track.saturating_sub(cd.first_track)) + 2;
                    let skip = if first.track == 0 {
                        0
                    } else {
                        usize::from(first.track.saturating_sub(cd.first_track)) + 1
                    };
                    let mut list = vec![Vec::new(); skip.min(tracks)];
                    for s in strings.into_iter().take(tracks.saturating_sub(skip)) {
                        let s = if s == [0x09] || s == [0x09, 0x09] {
                            list.last().cloned().unwrap_or_default()
                        } else {
                            s
                        };
                        list.push(s);
                    }
                    block.text.insert(kind, list);
                }
            }
        }
        cd.blocks.push(block);
    }
    Ok(cd)
}

/// Strings ended by NUL (`unit` 2: a NUL pair at an even offset), the padding after the
/// last one dropped.
fn split(bytes: &[u8], unit: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for c in bytes.chunks(unit) {
        if c.iter().all(|&b| b == 0) && c.len() == unit {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.extend_from_slice(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect()
    }

    /// Size information packs of a two-track disc with five TITLE and three PERFORMER
    /// packs in English ISO-8859-1, as published with their CRCs (cdrtfe's example of
    /// MMC-3 Annex J, delphipraxis.net/1225201-post3.html).
    const PUBLISHED_SIZE_INFO: [&str; 3] = [
        "8F 00 08 00 00 01 02 00 05 03 00 00 00 00 00 00 F3 00",
        "8F 01 09 00 00 00 00 00 00 00 00 03 0A 00 00 00 36 1B",
        "8F 02 0A 00 00 00 00 00 09 00 00 00 00 00 00 00 87 ED",
    ];

    #[test]
    fn crc_matches_published_packs() {
        for p in PUBLISHED_SIZE_INFO {
            let b = hex(p);
            assert_eq!(crc16(&b[..16]), u16::from_be_bytes([b[16], b[17]]), "{p}");
            assert!(Pack::parse(&b).is_ok());
        }
        let mut bad = hex(PUBLISHED_SIZE_INFO[0]);
        bad[5] ^= 1;
        assert!(Pack::parse(&bad).is_err());
    }

    fn two_tracks() -> CdText {
        let mut block = Block {
            language: LANGUAGE_ENGLISH,
            ..Block::default()
        };
        // 5 TITLE packs (49–60 bytes with NULs) and 3 PERFORMER packs (25–36 bytes).
        block.text.insert(
            PackType::Title,
            vec![
                latin1("Joyful Nights of Winter").unwrap(),
                latin1("Ein Männlein steht im Walde").unwrap(),
                latin1("Song 2").unwrap(),
            ],
        );
        block.text.insert(
            PackType::Performer,
            vec![
                latin1("Choir of St. Mary").unwrap(),
                latin1("Solo").unwrap(),
                latin1("Solo").unwrap(),
            ],
        );
        CdText {
            first_track: 1,
            last_track: 2,
            blocks: vec![block],
        }
    }

    #[test]
    fn size_information_matches_the_published_example() {
        let packs = encode(&two_tracks()).unwrap();
        assert_eq!(packs.len(), 11);
        let info: Vec<Vec<u8>> = packs[8..].iter().map(|p| p.to_vec()).collect();
        let want: Vec<Vec<u8>> = PUBLISHED_SIZE_INFO.iter().map(|p| hex(p)).collect();
        assert_eq!(info, want);
    }

    #[test]
    fn strings_run_across_packs_with_track_and_position() {
        let packs = encode(&two_tracks()).unwrap();
        let p: Vec<Pack> = packs.iter().map(|b| Pack::parse(b).unwrap()).collect();
        // "Joyful Nights of Winter\0" is 24 bytes: packs 0 and 1 are the disc's, pack 2
        // starts with track 1's string at its first character.
        assert_eq!((p[0].track, p[0].char_position), (0, 0));
        assert_eq!((p[1].track, p[1].char_position), (0, 12));
        assert_eq!((p[2].track, p[2].char_position), (1, 0));
        assert_eq!(&p[2].text[..6], b"Ein M\xE4");
        // Track 2's "Solo" repeats track 1's: a TAB.
        let perf: Vec<u8> = p[5..8].iter().flat_map(|p| p.text).collect();
        assert!(perf.starts_with(b"Choir of St. Mary\0Solo\0\x09\0"));
        for (i, p) in p.iter().enumerate() {
            assert_eq!(usize::from(p.sequence), i);
        }
    }

    #[test]
    fn decode_reads_back_what_encode_wrote() {
        let cd = two_tracks();
        let bytes: Vec<u8> = encode(&cd).unwrap().concat();
        assert_eq!(decode(&bytes).unwrap(), cd);
    }

    #[test]
    fn refusals_name_the_problem() {
        assert!(latin1("日本").is_err());
        assert!(latin1("tab\there").is_err());
        let mut cd = two_tracks();
        cd.last_track = 0;
        assert!(matches!(encode(&cd), Err(CdTextError::Tracks { .. })));
        let mut cd = two_tracks();
        cd.blocks[0]
            .text
            .insert(PackType::Message, vec![vec![b'x'; 4000]]);
        assert!(matches!(encode(&cd), Err(CdTextError::BlockTooLong { .. })));
        assert_eq!(decode(&[0; 17]), Err(DecodeError::Length(17)));
        assert_eq!(decode(&[0; 18]), Err(DecodeError::Crc { index: 0 }));
    }

    fn text() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(0x20u8..=0x7E, 0..40)
    }

    proptest! {
        #[test]
        fn any_latin1_disc_round_trips(
            tracks in 1u8..20,
            titles in proptest::collection::vec(text(), 0..21),
            performers in proptest::collection::vec(text(), 0..21),
            genre in proptest::option::of((0u16..30, text())),
            disc_id in proptest::option::of(text()),
        ) {
            let n = usize::from(tracks) + 1;
            let mut block = Block { language: LANGUAGE_ENGLISH, ..Block::default() };
            let fit = |v: Vec<Vec<u8>>| {
                let mut v = v;
                v.resize(n, Vec::new());
                v
            };
            block.text.insert(PackType::Title, fit(titles));
            block.text.insert(PackType::Performer, fit(performers));
            block.genre = genre;
            block.disc_id = disc_id;
            let cd = CdText { first_track: 1, last_track: tracks, blocks: vec![block] };
            let bytes: Vec<u8> = encode(&cd).unwrap().concat();
            prop_assert_eq!(decode(&bytes).unwrap(), cd);
        }

        #[test]
        fn decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = decode(&data);
        }

        #[test]
        fn valid_crcs_with_any_content_never_panic(
            raw in proptest::collection::vec(any::<[u8; 16]>(), 0..30)
        ) {
            let mut data = Vec::new();
            for r in raw {
                let crc = crc16(&r);
                data.extend_from_slice(&r);
                data.extend_from_slice(&crc.to_be_bytes());
            }
            let _ = decode(&data);
        }
    }
}
