//! `write --audio`: loose audio files as the tracks of an audio CD, written Track-At-Once
//! through the library's IMAPI2-style [`TrackAtOnce`].

use std::io::Read;
use std::path::PathBuf;

use discburn::burn::{
    verify_audio_track, AudioError, AudioTrackReport, AudioVerify, BurnEvent, DiscAtOnce,
    DiscTrack, TrackAtOnce, AUDIO_SECTOR,
};
use discburn::mmc::cdtext::{latin1, Block, CdText, PackType, LANGUAGE_ENGLISH};
use serde_json::json;

use crate::audio_file::AudioFile;
use crate::cli::{Global, WriteArgs};
use crate::exit::{self, Failure};
use crate::progress::{Mode, Progress};

use super::{cancel_on_ctrl_c, emit_json, open};

/// Play time of `sectors` CD-DA sectors (75 a second), as m:ss.
fn play_time(sectors: u64) -> String {
    let s = sectors / 75;
    format!("{}:{:02}", s / 60, s % 60)
}

fn audio_failure(e: &AudioError) -> Failure {
    let code = match e {
        AudioError::NotPrepared | AudioError::AlreadyPrepared => exit::INTERNAL,
        AudioError::MediaNotSupported(_)
        | AudioError::CdTextNotOffered
        | AudioError::MediaNotWritable
        | AudioError::MediaNotBlank
        | AudioError::NotEnoughSpace { .. }
        | AudioError::TrackLimitReached => exit::MEDIUM,
        AudioError::StreamNotSupported { .. } => exit::SOURCE,
        AudioError::CdText(_) | AudioError::MixedSectorSizes | AudioError::Layout { .. } => {
            exit::USAGE
        }
        AudioError::Device { source, .. } if source.is_cancelled() => exit::CANCELLED,
        AudioError::Device { .. } => exit::DEVICE,
        _ => exit::INTERNAL,
    };
    let f = match e {
        AudioError::Device { what, source } => {
            Failure::new(code, exit::device_sentence(what, source))
        }
        e => Failure::new(code, e.to_string()),
    };
    match e {
        AudioError::MediaNotSupported(_) => f.hint("Put a CD-R or CD-RW in the drive"),
        AudioError::MediaNotWritable => {
            f.hint("Use a blank CD-R, or blank a CD-RW with `discburn blank`")
        }
        AudioError::NotEnoughSpace { .. } => f.hint("Leave out a track, or use an 80-minute disc"),
        _ => f,
    }
}

pub(super) fn write_audio(g: &Global, a: &WriteArgs) -> Result<(), Failure> {
    let paths: Vec<PathBuf> = std::iter::once(a.source.clone())
        .chain(a.more.iter().cloned())
        .collect();
    if paths.len() > 99 {
        return Err(Failure::new(
            exit::USAGE,
            format!("{} audio tracks; a CD holds at most 99", paths.len()),
        ));
    }
    let mut files = Vec::with_capacity(paths.len());
    for p in &paths {
        let f = AudioFile::open(p).map_err(|e| Failure::new(exit::SOURCE, e.to_string()))?;
        files.push(f);
    }
    let total: u64 = files
        .iter()
        .map(|f| discburn::burn::audio_sectors(f.bytes))
        .sum();
    let (addr, rec) = open(g)?;
    if g.json {
        emit_json(&json!({
            "event": "audio-plan",
            "address": addr,
            "tracks": paths.len(),
            "sectors": total,
        }));
    } else {
        println!(
            "Audio CD: {} tracks, {} of music, {}",
            paths.len(),
            play_time(total),
            if a.sao {
                "Disc-At-Once"
            } else {
                "Track-At-Once"
            }
        );
    }
    if a.sao {
        return write_disc_at_once(g, a, &addr, rec, &paths, files);
    }
    let mut tao = TrackAtOnce::new(rec).map_err(|e| audio_failure(&e))?;
    tao.set_do_not_finalize_media(a.multi)
        .map_err(|e| audio_failure(&e))?;
    tao.set_cancel_token(cancel_on_ctrl_c());
    if a.dry_run {
        if !g.json {
            println!("Dry run: every file decodes; nothing was written");
        }
        return Ok(());
    }
    tao.prepare_media().map_err(|e| audio_failure(&e))?;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let updates = tao.engine().subscribe();
    let mut failed = None;
    for (i, (path, file)) in paths.iter().zip(files).enumerate() {
        if !g.json {
            println!(
                "Track {:>2}  {}  {}",
                i + 1,
                play_time(file.bytes.div_ceil(AUDIO_SECTOR as u64)),
                path.display()
            );
        }
        let result = std::thread::scope(|s| {
            let tao = &mut tao;
            let writer = s.spawn(move || tao.add_audio_track(file.reader, file.bytes));
            while !writer.is_finished() {
                if let Ok(u) = updates.recv_timeout(std::time::Duration::from_millis(50)) {
                    progress.event(&BurnEvent::Write(u));
                }
            }
            while let Ok(u) = updates.try_recv() {
                progress.event(&BurnEvent::Write(u));
            }
            writer.join()
        });
        progress.done();
        match result {
            Ok(Ok(t)) => {
                if g.json {
                    emit_json(&json!({
                        "event": "audio-track",
                        "track": t.number,
                        "file": path.display().to_string(),
                        "start_lba": t.start,
                        "sectors": t.sectors,
                        "silence_sectors": t.padded,
                    }));
                }
            }
            Ok(Err(e)) => {
                failed = Some(audio_failure(&e));
                break;
            }
            Err(_) => {
                failed = Some(Failure::new(exit::INTERNAL, "the audio writer panicked"));
                break;
            }
        }
    }
    let written = tao.tracks().len();
    // The session is closed over what was written, even after a failed track: the
    // tracks that made it play.
    let released = tao.release_media();
    if let Some(f) = failed {
        return Err(f);
    }
    released.map_err(|e| audio_failure(&e))?;
    if a.verify {
        verify_tracks(g, tao.recorder(), &paths, tao.tracks())?;
    }
    if g.json {
        emit_json(&json!({"event": "audio-done", "tracks": written, "finalized": !a.multi}));
    } else {
        println!(
            "Wrote {written} audio tracks to {addr}; {}",
            if a.multi {
                "the disc stays open for more"
            } else {
                "the disc is finalized"
            }
        );
    }
    Ok(())
}

/// The CD-Text of `files`: the album's strings from --title/--performer, each track's
/// from its tags or its file name.
fn cd_text(a: &WriteArgs, paths: &[PathBuf], files: &[AudioFile]) -> Result<CdText, Failure> {
    let text = |what: &str, s: &str| {
        latin1(s).map_err(|e| {
            Failure::new(exit::USAGE, format!("CD-Text {what} \"{s}\": {e}"))
                .hint("CD-Text here is Latin-1: write the text without other characters")
        })
    };
    let mut titles = vec![text("title", a.title.as_deref().unwrap_or(""))?];
    let mut performers = vec![text("performer", a.performer.as_deref().unwrap_or(""))?];
    for (p, f) in paths.iter().zip(files) {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        titles.push(text("title", f.title.as_deref().unwrap_or(&stem))?);
        let performer = f.artist.as_deref().or(a.performer.as_deref()).unwrap_or("");
        performers.push(text("performer", performer)?);
    }
    let mut block = Block {
        language: LANGUAGE_ENGLISH,
        ..Block::default()
    };
    block.text.insert(PackType::Title, titles);
    if performers.iter().any(|p| !p.is_empty()) {
        block.text.insert(PackType::Performer, performers);
    }
    Ok(CdText {
        first_track: 1,
        last_track: files.len() as u8,
        blocks: vec![block],
    })
}

fn write_disc_at_once(
    g: &Global,
    a: &WriteArgs,
    addr: &str,
    rec: std::sync::Arc<discburn::Recorder>,
    paths: &[PathBuf],
    files: Vec<AudioFile>,
) -> Result<(), Failure> {
    let with_text = a.cd_text || a.title.is_some() || a.performer.is_some();
    let text = if with_text {
        Some(cd_text(a, paths, &files)?)
    } else {
        None
    };
    let labels: Vec<String> = paths
        .iter()
        .zip(&files)
        .map(|(p, f)| {
            format!(
                "{}  {}",
                play_time(f.bytes.div_ceil(AUDIO_SECTOR as u64)),
                p.display()
            )
        })
        .collect();
    let tracks: Vec<DiscTrack<Box<dyn Read + Send>>> = files
        .into_iter()
        .map(|f| DiscTrack::audio(Box::new(f.reader) as Box<dyn Read + Send>, f.bytes))
        .collect();
    let plan = DaoPlan {
        labels,
        tracks,
        text,
        catalog: None,
        gap: if a.gapless {
            Some(0)
        } else {
            a.gap.map(|s| s.saturating_mul(75))
        },
        verify: a.verify.then(|| paths.to_vec()),
    };
    run_disc_at_once(g, a, addr, rec, plan)
}

/// A disc-at-once burn ready to go: one label a track for the listing, the tracks, the
/// CD-Text and catalog number, and the gap in front of tracks that name none.
pub(super) struct DaoPlan {
    pub labels: Vec<String>,
    pub tracks: Vec<DiscTrack<Box<dyn Read + Send>>>,
    pub text: Option<CdText>,
    pub catalog: Option<[u8; 13]>,
    pub gap: Option<u32>,
    /// The audio files to compare the tracks with after the burn (`--verify`).
    pub verify: Option<Vec<PathBuf>>,
}

/// Writes `plan` disc at once with progress, then reports each track.
pub(super) fn run_disc_at_once(
    g: &Global,
    a: &WriteArgs,
    addr: &str,
    rec: std::sync::Arc<discburn::Recorder>,
    plan: DaoPlan,
) -> Result<(), Failure> {
    let with_text = plan.text.is_some();
    let mut dao = DiscAtOnce::new(rec).map_err(|e| audio_failure(&e))?;
    dao.set_cancel_token(cancel_on_ctrl_c());
    dao.set_keep_open(a.multi);
    if let Some(s) = plan.gap {
        dao.set_gap(s);
    }
    dao.set_cd_text(plan.text);
    dao.set_catalog(plan.catalog);
    if a.dry_run {
        if !g.json {
            println!("Dry run: every file decodes; nothing was written");
        }
        return Ok(());
    }
    if !g.json {
        for (i, l) in plan.labels.iter().enumerate() {
            println!("Track {:>2}  {l}", i + 1);
        }
    }
    let tracks = plan.tracks;
    let mut progress = Progress::new(Mode::pick(g.json, g.plain));
    let updates = dao.engine().map_err(|e| audio_failure(&e))?.subscribe();
    let result = std::thread::scope(|s| {
        let dao = &mut dao;
        let writer = s.spawn(move || dao.write_disc(tracks));
        while !writer.is_finished() {
            if let Ok(u) = updates.recv_timeout(std::time::Duration::from_millis(50)) {
                progress.event(&BurnEvent::Write(u));
            }
        }
        while let Ok(u) = updates.try_recv() {
            progress.event(&BurnEvent::Write(u));
        }
        writer.join()
    });
    progress.done();
    let report = match result {
        Ok(r) => r.map_err(|e| audio_failure(&e))?,
        Err(_) => return Err(Failure::new(exit::INTERNAL, "the audio writer panicked")),
    };
    if let Some(paths) = &plan.verify {
        verify_tracks(g, dao.recorder(), paths, &report)?;
    }
    if g.json {
        for (t, l) in report.iter().zip(&plan.labels) {
            emit_json(&json!({
                "event": "audio-track",
                "track": t.number,
                "file": l,
                "start_lba": t.start,
                "sectors": t.sectors,
            }));
        }
        emit_json(&json!({
            "event": "audio-done",
            "tracks": report.len(),
            "finalized": !a.multi,
            "cd_text": with_text,
        }));
    } else {
        println!(
            "Wrote {} tracks to {addr} at once{}; {}",
            report.len(),
            if with_text { " with CD-Text" } else { "" },
            if a.multi {
                "the disc stays open for more"
            } else {
                "the disc is finalized"
            }
        );
    }
    Ok(())
}

/// `--verify` of an audio burn: every track read back with READ CD and compared with its
/// file decoded again, sample by sample (the padding after it must be silence).
fn verify_tracks(
    g: &Global,
    rec: &discburn::Recorder,
    paths: &[PathBuf],
    tracks: &[AudioTrackReport],
) -> Result<(), Failure> {
    for (p, t) in paths.iter().zip(tracks) {
        let f = AudioFile::open(p).map_err(|e| Failure::new(exit::SOURCE, e.to_string()))?;
        let result =
            verify_audio_track(rec, t.start, t.sectors, f.reader, f.bytes).map_err(|e| {
                Failure::new(
                    exit::DEVICE,
                    exit::device_sentence("reading the track back (READ CD)", &e),
                )
            })?;
        match result {
            AudioVerify::Same => {
                if g.json {
                    emit_json(
                        &json!({"event": "audio-verify", "track": t.number, "result": "same"}),
                    );
                } else {
                    println!(
                        "Verify   track {:>2}: OK, every sample as in {}",
                        t.number,
                        p.display()
                    );
                }
            }
            AudioVerify::DiffersAt(byte) => {
                return Err(Failure::new(
                    exit::VERIFY,
                    format!(
                        "track {} differs from {} at byte {byte} (sector {} of the track)",
                        t.number,
                        p.display(),
                        byte / AUDIO_SECTOR as u64
                    ),
                ))
            }
            _ => return Err(Failure::new(exit::INTERNAL, "unknown verify result")),
        }
    }
    Ok(())
}
