//! CDRWIN cue sheet files (`.cue`), as EAC, ImgBurn, cdrdao and CDRWIN write them: the
//! text that names an image's data files and lays its tracks out — `FILE`, `TRACK`,
//! `INDEX`, `PREGAP`, `POSTGAP`, `FLAGS`, `ISRC`, `CATALOG`, `TITLE`, `PERFORMER`,
//! `SONGWRITER`, `CDTEXTFILE`, `REM` — parsed into a [`CueImage`], and turned into the
//! byte ranges each track takes from its files ([`CueImage::extents`]) and its CD-Text
//! ([`CueImage::cd_text`]).
//!
//! Hostile input is refused with the line and what is wrong, never a panic: at most
//! [`MAX_TEXT`] bytes, 99 tracks, 99 indexes a track, 80-character strings (the CD-Text
//! limit cdrdao applies), times of valid MSF (frames < 75, seconds < 60).
//!
//! Tracks written: `AUDIO`, `MODE1/2048` and `MODE1/2352`; files `BINARY` and the audio
//! kinds (`WAVE`, `MP3`, `FLAC`, `AIFF`: their decoded samples count, 2352 bytes a
//! sector). `MODE2/*`, `CDI/*`, `CDG` tracks and `MOTOROLA` (big-endian) files are refused
//! with a message saying so.

use std::fmt;

use discburn_mmc::cdtext::{self, latin1, Block, CdText, CdTextError, PackType};

/// Most bytes of cue text read.
pub const MAX_TEXT: usize = 1 << 20;
/// Longest TITLE/PERFORMER/SONGWRITER string.
pub const MAX_STRING: usize = 80;

/// What a FILE holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// Raw sectors (audio little-endian), as they go to the disc.
    Binary,
    /// An audio file to decode (WAVE, MP3, FLAC, AIFF): its samples, 2352 bytes a sector.
    Audio,
}

/// One FILE line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueFile {
    /// The file name as written (relative to the cue file's folder unless absolute).
    pub name: String,
    /// What it holds.
    pub kind: FileKind,
}

/// A track's mode (the TRACK line's datatype).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CueMode {
    /// AUDIO: 2352-byte CD-DA sectors.
    Audio,
    /// MODE1/2048: user data only.
    Mode1,
    /// MODE1/2352: whole raw sectors.
    Mode1Raw,
}

impl CueMode {
    /// Bytes per sector in the file.
    pub fn sector_size(self) -> u64 {
        match self {
            CueMode::Mode1 => 2048,
            CueMode::Audio | CueMode::Mode1Raw => 2352,
        }
    }
}

/// FLAGS of a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CueFlags {
    /// DCP: digital copy permitted.
    pub dcp: bool,
    /// 4CH: four-channel audio.
    pub four_channel: bool,
    /// PRE: pre-emphasis.
    pub pre: bool,
}

/// One TRACK and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueTrack {
    /// Track number (1–99, consecutive from 1).
    pub number: u8,
    /// Index into [`CueImage::files`] of the FILE it is in.
    pub file: usize,
    /// Its mode.
    pub mode: CueMode,
    /// FLAGS.
    pub flags: CueFlags,
    /// ISRC, 12 characters.
    pub isrc: Option<[u8; 12]>,
    /// TITLE.
    pub title: Option<String>,
    /// PERFORMER.
    pub performer: Option<String>,
    /// SONGWRITER.
    pub songwriter: Option<String>,
    /// PREGAP: sectors generated in front (not in the file).
    pub pregap: Option<u32>,
    /// POSTGAP: sectors generated after.
    pub postgap: u32,
    /// INDEX 00, sectors from the start of the file.
    pub index0: Option<u32>,
    /// INDEX 01, sectors from the start of the file.
    pub index1: u32,
    /// INDEX 02, 03, …, sectors from the start of the file.
    pub more: Vec<u32>,
}

/// A parsed cue sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CueImage {
    /// CATALOG: 13 digits.
    pub catalog: Option<[u8; 13]>,
    /// Disc TITLE.
    pub title: Option<String>,
    /// Disc PERFORMER.
    pub performer: Option<String>,
    /// Disc SONGWRITER.
    pub songwriter: Option<String>,
    /// CDTEXTFILE as named (not read: TITLE/PERFORMER/SONGWRITER give the CD-Text).
    pub cdtextfile: Option<String>,
    /// The FILE lines in order.
    pub files: Vec<CueFile>,
    /// The tracks in order.
    pub tracks: Vec<CueTrack>,
}

/// What a track takes from its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackExtent {
    /// Index into [`CueImage::files`].
    pub file: usize,
    /// First byte (its INDEX 00, else INDEX 01).
    pub offset: u64,
    /// Bytes (to the next track's first index in the same file, or the file's end).
    pub bytes: u64,
    /// Sectors of those bytes before INDEX 01 (the pre-gap in the file).
    pub source_pregap: u32,
    /// INDEX 02, 03, … as sectors after INDEX 01.
    pub indexes: Vec<u32>,
}

/// Why a cue sheet cannot be used: the line (1-based; 0 for the sheet as a whole) and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueError {
    /// Line number, 1-based; 0 when the problem is not on one line.
    pub line: usize,
    /// What is wrong, naming the command and the value.
    pub message: String,
}

impl fmt::Display for CueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for CueError {}

fn err(line: usize, message: impl Into<String>) -> CueError {
    CueError {
        line,
        message: message.into(),
    }
}

/// Splits a line into words; a `"…"` word may hold spaces (it ends at the next `"` or the
/// line's end).
fn words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(q) = rest.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            out.push(&q[..end]);
            rest = q.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(&rest[..end]);
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// `mm:ss:ff` to sectors (75 a second); minutes up to 99.
fn msf(line: usize, s: &str) -> Result<u32, CueError> {
    let bad = || {
        err(
            line,
            format!("`{s}` is not a time mm:ss:ff (frames 0–74, seconds 0–59)"),
        )
    };
    let mut parts = s.split(':');
    let (Some(m), Some(sec), Some(f), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let num = |t: &str, max: u32| {
        (t.len() <= 3 && !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<u32>().ok())
            .flatten()
            .filter(|&v| v <= max)
    };
    match (num(m, 99), num(sec, 59), num(f, 74)) {
        (Some(m), Some(sec), Some(f)) => Ok((m * 60 + sec) * 75 + f),
        _ => Err(bad()),
    }
}

fn text(line: usize, what: &str, s: Option<&&str>) -> Result<String, CueError> {
    let s = s.ok_or_else(|| err(line, format!("{what} needs a text")))?;
    if s.len() > MAX_STRING {
        return Err(err(
            line,
            format!(
                "{what} is {} bytes; CD-Text holds at most {MAX_STRING}",
                s.len()
            ),
        ));
    }
    Ok((*s).to_string())
}

impl CueImage {
    /// Parses cue sheet text.
    pub fn parse(text_in: &str) -> Result<CueImage, CueError> {
        if text_in.len() > MAX_TEXT {
            return Err(err(
                0,
                format!("{} bytes; a cue sheet is at most {MAX_TEXT}", text_in.len()),
            ));
        }
        let mut img = CueImage::default();
        for (n, raw) in text_in.lines().enumerate() {
            let line = n + 1;
            let w = words(raw.trim_start_matches('\u{feff}'));
            let Some(cmd) = w.first() else { continue };
            let arg = |i: usize| w.get(i);
            match cmd.to_ascii_uppercase().as_str() {
                "REM" => {}
                "CATALOG" => {
                    let c = arg(1).copied().unwrap_or("");
                    let digits: [u8; 13] = c
                        .as_bytes()
                        .try_into()
                        .ok()
                        .filter(|d: &[u8; 13]| d.iter().all(u8::is_ascii_digit))
                        .ok_or_else(|| err(line, format!("CATALOG `{c}` is not 13 digits")))?;
                    img.catalog = Some(digits);
                }
                "CDTEXTFILE" => img.cdtextfile = Some(text(line, "CDTEXTFILE", arg(1))?),
                "FILE" => {
                    let name = arg(1).ok_or_else(|| err(line, "FILE needs a file name"))?;
                    let kind = match arg(2).map(|k| k.to_ascii_uppercase()).as_deref() {
                        Some("BINARY") => FileKind::Binary,
                        Some("WAVE" | "MP3" | "FLAC" | "AIFF") => FileKind::Audio,
                        Some("MOTOROLA") => {
                            return Err(err(line, "MOTOROLA (big-endian) files are not supported; convert to BINARY or WAVE"))
                        }
                        Some(k) => return Err(err(line, format!("FILE type `{k}` is not BINARY, WAVE, MP3, FLAC or AIFF"))),
                        None => return Err(err(line, "FILE needs a type (BINARY, WAVE, MP3, FLAC, AIFF)")),
                    };
                    if img.files.len() >= 99 {
                        return Err(err(line, "more than 99 FILE lines"));
                    }
                    img.files.push(CueFile {
                        name: (*name).to_string(),
                        kind,
                    });
                }
                "TRACK" => {
                    if img.files.is_empty() {
                        return Err(err(line, "TRACK before any FILE"));
                    }
                    let num = arg(1)
                        .and_then(|s| s.parse::<u8>().ok())
                        .ok_or_else(|| err(line, "TRACK needs a number 1–99"))?;
                    let want = img.tracks.len() + 1;
                    if usize::from(num) != want || num > 99 {
                        return Err(err(line, format!("TRACK {num}: expected track {want} (tracks are numbered 1, 2, … in order)")));
                    }
                    let mode = match arg(2).map(|m| m.to_ascii_uppercase()).as_deref() {
                        Some("AUDIO") => CueMode::Audio,
                        Some("MODE1/2048") => CueMode::Mode1,
                        Some("MODE1/2352") => CueMode::Mode1Raw,
                        Some(m @ ("MODE2/2336" | "MODE2/2352" | "CDI/2336" | "CDI/2352" | "CDG")) => {
                            return Err(err(line, format!("{m} tracks are not written yet (AUDIO, MODE1/2048 and MODE1/2352 are)")))
                        }
                        Some(m) => return Err(err(line, format!("TRACK mode `{m}` is unknown"))),
                        None => return Err(err(line, "TRACK needs a mode (AUDIO, MODE1/2048, MODE1/2352)")),
                    };
                    img.tracks.push(CueTrack {
                        number: num,
                        file: img.files.len() - 1,
                        mode,
                        flags: CueFlags::default(),
                        isrc: None,
                        title: None,
                        performer: None,
                        songwriter: None,
                        pregap: None,
                        postgap: 0,
                        index0: None,
                        index1: u32::MAX,
                        more: Vec::new(),
                    });
                }
                c @ ("TITLE" | "PERFORMER" | "SONGWRITER") => {
                    let s = text(line, c, arg(1))?;
                    let slot = match (img.tracks.last_mut(), c) {
                        (Some(t), "TITLE") => &mut t.title,
                        (Some(t), "PERFORMER") => &mut t.performer,
                        (Some(t), _) => &mut t.songwriter,
                        (None, "TITLE") => &mut img.title,
                        (None, "PERFORMER") => &mut img.performer,
                        (None, _) => &mut img.songwriter,
                    };
                    *slot = Some(s);
                }
                c @ ("FLAGS" | "ISRC" | "INDEX" | "PREGAP" | "POSTGAP") => {
                    let Some(t) = img.tracks.last_mut() else {
                        return Err(err(line, format!("{c} before any TRACK")));
                    };
                    match c {
                        "FLAGS" => {
                            for f in &w[1..] {
                                match f.to_ascii_uppercase().as_str() {
                                    "DCP" => t.flags.dcp = true,
                                    "4CH" => t.flags.four_channel = true,
                                    "PRE" => t.flags.pre = true,
                                    "SCMS" | "DATA" => {}
                                    other => {
                                        return Err(err(
                                            line,
                                            format!("FLAGS `{other}` is not DCP, 4CH, PRE or SCMS"),
                                        ))
                                    }
                                }
                            }
                        }
                        "ISRC" => {
                            let code = arg(1).copied().unwrap_or("");
                            let ok = code.len() == 12
                                && code.bytes().take(5).all(|b| b.is_ascii_alphanumeric())
                                && code.bytes().skip(5).all(|b| b.is_ascii_digit());
                            if !ok {
                                return Err(err(
                                    line,
                                    format!("ISRC `{code}` is not 12 characters CCOOOYYSSSSS"),
                                ));
                            }
                            let mut b = [0u8; 12];
                            b.copy_from_slice(&code.to_ascii_uppercase().as_bytes()[..12]);
                            t.isrc = Some(b);
                        }
                        "PREGAP" => t.pregap = Some(msf(line, arg(1).copied().unwrap_or(""))?),
                        "POSTGAP" => t.postgap = msf(line, arg(1).copied().unwrap_or(""))?,
                        _ => {
                            let i = arg(1)
                                .and_then(|s| s.parse::<u8>().ok())
                                .filter(|&i| i <= 99)
                                .ok_or_else(|| err(line, "INDEX needs a number 00–99"))?;
                            let at = msf(line, arg(2).copied().unwrap_or(""))?;
                            let last = t
                                .more
                                .last()
                                .copied()
                                .or((t.index1 != u32::MAX).then_some(t.index1))
                                .or(t.index0);
                            if last.is_some_and(|l| at <= l) {
                                return Err(err(
                                    line,
                                    format!(
                                        "INDEX {i:02} at {} is not after the index before it",
                                        arg(2).copied().unwrap_or("")
                                    ),
                                ));
                            }
                            let expected = if t.index1 == u32::MAX {
                                if t.index0.is_some() {
                                    1
                                } else {
                                    i.min(1)
                                }
                            } else {
                                t.more.len() as u8 + 2
                            };
                            if i != expected {
                                return Err(err(
                                    line,
                                    format!("INDEX {i:02}: expected INDEX {expected:02}"),
                                ));
                            }
                            match i {
                                0 => t.index0 = Some(at),
                                1 => t.index1 = at,
                                _ => t.more.push(at),
                            }
                        }
                    }
                }
                other => return Err(err(line, format!("`{other}` is not a cue sheet command"))),
            }
        }
        if img.tracks.is_empty() {
            return Err(err(0, "the cue sheet has no TRACK"));
        }
        if let Some(t) = img.tracks.iter().find(|t| t.index1 == u32::MAX) {
            return Err(err(0, format!("track {} has no INDEX 01", t.number)));
        }
        Ok(img)
    }

    /// What each track takes from its file, given every file's length in bytes (decoded
    /// bytes for audio files), in [`files`](Self::files) order.
    pub fn extents(&self, file_lengths: &[u64]) -> Result<Vec<TrackExtent>, CueError> {
        let mut out = Vec::with_capacity(self.tracks.len());
        for (i, t) in self.tracks.iter().enumerate() {
            let size = t.mode.sector_size();
            let len = file_lengths
                .get(t.file)
                .copied()
                .ok_or_else(|| err(0, format!("track {}: no length for its file", t.number)))?;
            let begin = t.index0.unwrap_or(t.index1);
            let end = match self.tracks.get(i + 1).filter(|n| n.file == t.file) {
                Some(n) => u64::from(n.index0.unwrap_or(n.index1)) * size,
                None => len,
            };
            let offset = u64::from(begin) * size;
            if end > len || end <= offset {
                return Err(err(
                    0,
                    format!(
                    "track {}: its file `{}` is {len} bytes; the track needs bytes {offset}–{end}",
                    t.number, self.files[t.file].name
                ),
                ));
            }
            out.push(TrackExtent {
                file: t.file,
                offset,
                bytes: end - offset,
                source_pregap: t.index1 - begin,
                indexes: t.more.iter().map(|m| m - t.index1).collect(),
            });
        }
        Ok(out)
    }

    /// The CD-Text the sheet's TITLE, PERFORMER and SONGWRITER lines give (Latin-1), or
    /// `None` when it has none.
    pub fn cd_text(&self) -> Option<Result<CdText, CdTextError>> {
        let disc = [&self.title, &self.performer, &self.songwriter];
        let any = disc.iter().any(|s| s.is_some())
            || self
                .tracks
                .iter()
                .any(|t| t.title.is_some() || t.performer.is_some() || t.songwriter.is_some());
        if !any {
            return None;
        }
        let mut block = Block {
            language: cdtext::LANGUAGE_ENGLISH,
            ..Block::default()
        };
        let mut fill =
            |kind: PackType, disc: &Option<String>, of: fn(&CueTrack) -> &Option<String>| {
                let all: Vec<&Option<String>> = std::iter::once(disc)
                    .chain(self.tracks.iter().map(of))
                    .collect();
                if all.iter().all(|s| s.is_none()) {
                    return Ok(());
                }
                let strings = all
                    .iter()
                    .map(|s| latin1(s.as_deref().unwrap_or("")))
                    .collect::<Result<Vec<_>, _>>()?;
                block.text.insert(kind, strings);
                Ok(())
            };
        let r = fill(PackType::Title, &self.title, |t| &t.title)
            .and_then(|()| fill(PackType::Performer, &self.performer, |t| &t.performer))
            .and_then(|()| fill(PackType::Songwriter, &self.songwriter, |t| &t.songwriter));
        Some(r.map(|()| CdText {
            first_track: 1,
            last_track: self.tracks.len() as u8,
            blocks: vec![block],
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EAC: &str = r#"REM GENRE Jazz
REM DATE 1959
CATALOG 0886972521820
PERFORMER "Miles Quintet"
TITLE "Kind of Test"
FILE "Test Disc.wav" WAVE
  TRACK 01 AUDIO
    TITLE "So What"
    ISRC USSM15900113
    INDEX 01 00:00:00
  TRACK 02 AUDIO
    TITLE "Freddie"
    FLAGS DCP PRE
    INDEX 00 09:22:10
    INDEX 01 09:24:10
    INDEX 02 10:00:00
"#;

    #[test]
    fn an_eac_single_file_sheet_parses_and_lays_out() {
        let img = CueImage::parse(EAC).unwrap();
        assert_eq!(img.catalog.as_ref(), Some(b"0886972521820"));
        assert_eq!(
            img.files,
            vec![CueFile {
                name: "Test Disc.wav".into(),
                kind: FileKind::Audio
            }]
        );
        assert_eq!(img.tracks.len(), 2);
        let t2 = &img.tracks[1];
        assert_eq!(t2.index0, Some((9 * 60 + 22) * 75 + 10));
        assert!(t2.flags.dcp && t2.flags.pre && !t2.flags.four_channel);
        assert_eq!(img.tracks[0].isrc.as_ref(), Some(b"USSM15900113"));
        let len = 2352 * 60 * 75 * 12;
        let ext = img.extents(&[len]).unwrap();
        let i0 = u64::from(t2.index0.unwrap());
        assert_eq!(
            (ext[0].offset, ext[0].bytes),
            (0, i0 * 2352),
            "track 1 runs to track 2's INDEX 00"
        );
        assert_eq!(ext[1].offset, i0 * 2352);
        assert_eq!(ext[1].source_pregap, 150);
        assert_eq!(
            ext[1].indexes,
            vec![45_000 - 42_310],
            "INDEX 02 after INDEX 01"
        );
        let text = img.cd_text().unwrap().unwrap();
        let titles = &text.blocks[0].text[&PackType::Title];
        assert_eq!(titles[1], b"So What");
        assert_eq!(text.last_track, 2);
    }

    #[test]
    fn multi_file_images_take_whole_files() {
        let img = CueImage::parse(
            "FILE \"game (Track 1).bin\" BINARY\nTRACK 01 MODE1/2352\nINDEX 01 00:00:00\nFILE \"game (Track 2).bin\" BINARY\nTRACK 02 AUDIO\nINDEX 00 00:00:00\nINDEX 01 00:02:00\n",
        )
        .unwrap();
        let ext = img.extents(&[2352 * 1000, 2352 * 500]).unwrap();
        assert_eq!(
            ext[0],
            TrackExtent {
                file: 0,
                offset: 0,
                bytes: 2352 * 1000,
                source_pregap: 0,
                indexes: vec![]
            }
        );
        assert_eq!(ext[1].source_pregap, 150);
        assert_eq!(ext[1].bytes, 2352 * 500);
        assert!(img.cd_text().is_none());
    }

    #[test]
    fn refusals_name_the_line_and_the_problem() {
        let cases = [
            ("TRACK 01 AUDIO\n", "line 1: TRACK before any FILE"),
            ("FILE a BINARY\nTRACK 02 AUDIO\n", "expected track 1"),
            ("FILE a BINARY\nTRACK 01 MODE2/2352\n", "not written yet"),
            ("FILE a MOTOROLA\n", "MOTOROLA"),
            (
                "FILE a BINARY\nTRACK 01 AUDIO\nINDEX 01 00:60:00\n",
                "not a time",
            ),
            (
                "FILE a BINARY\nTRACK 01 AUDIO\nINDEX 01 00:02:00\nINDEX 03 00:04:00\n",
                "expected INDEX 02",
            ),
            (
                "FILE a BINARY\nTRACK 01 AUDIO\nINDEX 01 00:02:00\nINDEX 02 00:01:00\n",
                "not after",
            ),
            ("FILE a BINARY\nTRACK 01 AUDIO\n", "no INDEX 01"),
            ("FILE a BINARY\nTRACK 01 AUDIO\nISRC XX\n", "ISRC"),
            ("CATALOG 12\n", "13 digits"),
            ("HELLO\n", "not a cue sheet command"),
            ("", "no TRACK"),
        ];
        for (text, want) in cases {
            let e = CueImage::parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?}: {e}");
        }
        let img = CueImage::parse("FILE a BINARY\nTRACK 01 AUDIO\nINDEX 01 00:10:00\n").unwrap();
        let e = img.extents(&[2352 * 100]).unwrap_err().to_string();
        assert!(e.contains("needs bytes"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_fails_cleanly(s in "(?s).{0,600}") {
            if let Ok(img) = CueImage::parse(&s) {
                let lens: Vec<u64> = img.files.iter().map(|_| 1 << 30).collect();
                let _ = img.extents(&lens);
                let _ = img.cd_text();
            }
        }

        #[test]
        fn sheets_of_commands_never_panic(lines in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("FILE \"x.bin\" BINARY".to_string()),
                "TRACK [0-9]{1,3} (AUDIO|MODE1/2048|MODE1/2352)",
                "INDEX [0-9]{1,2} [0-9]{1,3}:[0-9]{1,2}:[0-9]{1,2}",
                "(PREGAP|POSTGAP) [0-9]{2}:[0-9]{2}:[0-9]{2}",
                "(TITLE|PERFORMER|SONGWRITER) \"[a-zé ]{0,90}\"",
                "FLAGS( DCP| 4CH| PRE)*",
            ], 0..40)) {
            if let Ok(img) = CueImage::parse(&lines.join("\n")) {
                let _ = img.extents(&vec![1 << 32; img.files.len()]);
                let _ = img.cd_text();
            }
        }
    }
}
