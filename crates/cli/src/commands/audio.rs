//! `write --audio`: loose audio files as the tracks of an audio CD, written Track-At-Once
//! through the library's IMAPI2-style [`TrackAtOnce`].

use std::path::PathBuf;

use discburn::burn::{AudioError, BurnEvent, TrackAtOnce, AUDIO_SECTOR};
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
        | AudioError::MediaNotWritable
        | AudioError::NotEnoughSpace { .. }
        | AudioError::TrackLimitReached => exit::MEDIUM,
        AudioError::StreamNotSupported { .. } => exit::SOURCE,
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
            "Audio CD: {} tracks, {} of music, Track-At-Once",
            paths.len(),
            play_time(total)
        );
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
