//! `write IMAGE.cue`: a cue sheet and the files it names (BINARY images, or audio files
//! decoded by symphonia), written disc at once with its CD-Text, catalog number, ISRCs,
//! flags, pre-gaps, post-gaps and indexes ([`discburn::cuefile`]).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use discburn::burn::{DiscTrack, TrackFlags, TrackMode};
use discburn::cuefile::{CueImage, CueMode, FileKind};

use crate::audio_file::{open_decoder, AudioFile};
use crate::cli::{Global, WriteArgs};
use crate::exit::{self, source_failure, Failure};

use super::audio::{run_disc_at_once, DaoPlan};
use super::open;

/// True when `path` names a cue sheet (by its extension).
pub(super) fn is_cue(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("cue"))
}

/// The file a FILE line names: beside the cue sheet unless absolute.
fn resolve(cue: &Path, name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cue.parent().unwrap_or(Path::new(".")).join(p)
    }
}

pub(super) fn write_cue(g: &Global, a: &WriteArgs) -> Result<(), Failure> {
    let cue = &a.source;
    let unsupported = [
        (a.verify, "--verify"),
        (a.dummy, "--dummy"),
        (a.pad, "--pad"),
        (a.size.is_some(), "--size"),
        (a.streaming, "--streaming"),
        (a.spare.is_some(), "--spare"),
        (a.folder.any().is_some(), a.folder.any().unwrap_or_default()),
    ];
    if let Some((_, flag)) = unsupported.iter().find(|(on, _)| *on) {
        return Err(Failure::new(
            exit::USAGE,
            format!("{flag} does not apply to a cue sheet burn (it is written disc at once as the sheet says)"),
        ));
    }
    let meta = std::fs::metadata(cue).map_err(|e| source_failure(cue, e))?;
    if meta.len() > discburn::cuefile::MAX_TEXT as u64 {
        return Err(source_failure(cue, "larger than any cue sheet (1 MiB)"));
    }
    let bytes = std::fs::read(cue).map_err(|e| source_failure(cue, e))?;
    // Cue sheets are ASCII or Latin-1 (EAC writes Latin-1 or UTF-8).
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    };
    let img = CueImage::parse(&text).map_err(|e| {
        Failure::new(exit::USAGE, format!("{}: {e}", cue.display()))
            .hint("Fix the cue sheet; `discburn write --help` lists what it may hold")
    })?;
    let paths: Vec<PathBuf> = img.files.iter().map(|f| resolve(cue, &f.name)).collect();
    let mut lengths = Vec::with_capacity(paths.len());
    for (f, p) in img.files.iter().zip(&paths) {
        lengths.push(match f.kind {
            FileKind::Audio => {
                AudioFile::open(p)
                    .map_err(|e| Failure::new(exit::SOURCE, e.to_string()))?
                    .bytes
            }
            _ => std::fs::metadata(p)
                .map_err(|e| source_failure(p, e))?
                .len(),
        });
    }
    let extents = img
        .extents(&lengths)
        .map_err(|e| Failure::new(exit::SOURCE, format!("{}: {e}", cue.display())))?;
    let mut tracks: Vec<DiscTrack<Box<dyn Read + Send>>> = Vec::new();
    let mut labels = Vec::new();
    for (t, x) in img.tracks.iter().zip(&extents) {
        let p = &paths[x.file];
        let source: Box<dyn Read + Send> = match img.files[x.file].kind {
            FileKind::Audio => {
                // Its length is known: decode from the start without counting again.
                let mut r =
                    open_decoder(p).map_err(|e| Failure::new(exit::SOURCE, e.to_string()))?;
                io::copy(&mut (&mut r).take(x.offset), &mut io::sink())
                    .map_err(|e| source_failure(p, e))?;
                Box::new(r.take(x.bytes))
            }
            _ => {
                let mut f = File::open(p).map_err(|e| source_failure(p, e))?;
                f.seek(SeekFrom::Start(x.offset))
                    .map_err(|e| source_failure(p, e))?;
                Box::new(f.take(x.bytes))
            }
        };
        let mode = match t.mode {
            CueMode::Mode1 => TrackMode::Mode1,
            CueMode::Mode1Raw => TrackMode::Mode1Raw,
            _ => TrackMode::Audio,
        };
        labels.push(format!(
            "{:<10}  {}",
            match t.mode {
                CueMode::Mode1 => "MODE1/2048",
                CueMode::Mode1Raw => "MODE1/2352",
                _ => "AUDIO",
            },
            t.title.clone().unwrap_or_else(|| p.display().to_string())
        ));
        let mut track = DiscTrack::audio(source, x.bytes);
        track.mode = mode;
        track.source_pregap = x.source_pregap;
        track.pregap = Some(t.pregap.unwrap_or(0));
        track.postgap = t.postgap;
        track.indexes = x.indexes.clone();
        track.isrc = t.isrc;
        track.flags = TrackFlags {
            pre_emphasis: t.flags.pre,
            copy_permitted: t.flags.dcp,
            four_channel: t.flags.four_channel,
        };
        tracks.push(track);
    }
    let text = match img.cd_text() {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            return Err(
                Failure::new(exit::USAGE, format!("{}: CD-Text: {e}", cue.display()))
                    .hint("CD-Text here is Latin-1: write the text without other characters"),
            )
        }
        None => None,
    };
    if let Some(f) = &img.cdtextfile {
        tracing::warn!(
            "CDTEXTFILE {f} is not read; the CD-Text comes from TITLE/PERFORMER/SONGWRITER"
        );
    }
    let (addr, rec) = open(g)?;
    if !g.json {
        println!(
            "Cue sheet {}: {} tracks, Disc-At-Once{}",
            cue.display(),
            tracks.len(),
            if text.is_some() { ", CD-Text" } else { "" }
        );
    }
    let plan = DaoPlan {
        labels,
        tracks,
        text,
        catalog: img.catalog,
        gap: None,
        verify: None,
    };
    run_disc_at_once(g, a, &addr, rec, plan)
}
