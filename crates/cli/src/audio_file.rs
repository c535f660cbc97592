//! Loose audio files as CD-DA: WAV, FLAC, MP3, Ogg Vorbis and ALAC (in .m4a) decoded by
//! symphonia to what a CD holds — 44.1 kHz, 16-bit, stereo, little-endian — streamed
//! while the track is written. Mono is played on both channels; other sample formats
//! are converted to 16 bits. Another sample rate is refused (resampling is not done
//! here): the message names a converter.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{
    Decoder, DecoderOptions, CODEC_TYPE_FLAC, CODEC_TYPE_NULL, CODEC_TYPE_PCM_F32LE,
    CODEC_TYPE_PCM_F64LE, CODEC_TYPE_PCM_S16LE, CODEC_TYPE_PCM_S24LE, CODEC_TYPE_PCM_S32LE,
    CODEC_TYPE_PCM_U8,
};
use symphonia::core::errors::Error as DecodeError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::{MetadataOptions, StandardTagKey};
use symphonia::core::probe::Hint;

/// The CD sample rate.
pub const CD_RATE: u32 = 44_100;

/// Why an audio file cannot become a CD track.
#[derive(Debug)]
pub struct AudioFileError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for AudioFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

fn fail(path: &Path, message: impl Into<String>) -> AudioFileError {
    AudioFileError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// One decoded file: its CD-DA bytes, a reader of them and its tags.
pub struct AudioFile {
    /// Bytes of CD-DA the file decodes to (4 per stereo frame).
    pub bytes: u64,
    pub reader: PcmReader,
    /// The title tag, when the file has one.
    pub title: Option<String>,
    /// The artist tag, when the file has one.
    pub artist: Option<String>,
}

/// The decoder of one file as a reader of CD-DA bytes.
pub struct PcmReader {
    path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track: u32,
    pending: Vec<u8>,
    at: usize,
    done: bool,
    title: Option<String>,
    artist: Option<String>,
}

/// A reader of `path`'s CD-DA bytes from the start, its length not counted (for a file
/// whose length is already known).
pub fn open_decoder(path: &Path) -> Result<PcmReader, AudioFileError> {
    let file = File::open(path).map_err(|e| fail(path, format!("cannot open it: {e}")))?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mut probed = symphonia::default::get_probe()
        .format(
            &hint,
            mss,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| {
            fail(
                path,
                format!("not an audio file discburn reads (WAV, FLAC, MP3, Ogg Vorbis, ALAC): {e}"),
            )
        })?;
    let mut format = probed.format;
    let mut title = None;
    let mut artist = None;
    let mut from_container = probed.metadata.get();
    let revisions = [
        from_container
            .as_mut()
            .and_then(|m| m.skip_to_latest().cloned()),
        format.metadata().skip_to_latest().cloned(),
    ];
    for rev in revisions.iter().flatten() {
        for tag in rev.tags() {
            match tag.std_key {
                Some(StandardTagKey::TrackTitle) => title = Some(tag.value.to_string()),
                Some(StandardTagKey::Artist) => artist = Some(tag.value.to_string()),
                _ => {}
            }
        }
    }
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| fail(path, "it holds no audio stream"))?;
    let params = track.codec_params.clone();
    let track = track.id;
    if let Some(rate) = params.sample_rate {
        if rate != CD_RATE {
            return Err(fail(
                path,
                format!(
                    "its sample rate is {rate} Hz; a CD plays 44100 Hz (convert it first, e.g. `sox IN -r 44100 OUT.wav`)"
                ),
            ));
        }
    }
    if let Some(ch) = params.channels {
        if ch.count() > 2 {
            return Err(fail(
                path,
                format!("it has {} channels; a CD holds stereo or mono", ch.count()),
            ));
        }
    }
    let decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| fail(path, format!("no decoder for its codec: {e}")))?;
    Ok(PcmReader {
        path: path.to_path_buf(),
        format,
        decoder,
        track,
        pending: Vec::new(),
        at: 0,
        done: false,
        title,
        artist,
    })
}

impl AudioFile {
    /// Opens `path` and finds its length in CD-DA bytes: from the container for WAV and
    /// FLAC, by decoding it once for the others (whose frame counts are estimates).
    pub fn open(path: &Path) -> Result<AudioFile, AudioFileError> {
        let mut reader = open_decoder(path)?;
        let (title, artist) = (reader.title.take(), reader.artist.take());
        let params = reader.decoder.codec_params();
        let exact = [
            CODEC_TYPE_FLAC,
            CODEC_TYPE_PCM_S16LE,
            CODEC_TYPE_PCM_S24LE,
            CODEC_TYPE_PCM_S32LE,
            CODEC_TYPE_PCM_U8,
            CODEC_TYPE_PCM_F32LE,
            CODEC_TYPE_PCM_F64LE,
        ]
        .contains(&params.codec);
        let bytes = match params.n_frames {
            Some(n) if exact => n.saturating_mul(4),
            _ => {
                let mut counting = open_decoder(path)?;
                io::copy(&mut counting, &mut io::sink()).map_err(|e| fail(path, e.to_string()))?
            }
        };
        if bytes == 0 {
            return Err(fail(path, "it holds no samples"));
        }
        Ok(AudioFile {
            bytes,
            reader,
            title,
            artist,
        })
    }
}

impl PcmReader {
    /// Decodes the next packet of the track into `pending`; false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                Err(DecodeError::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return Ok(false)
                }
                Err(DecodeError::ResetRequired) => return Ok(false),
                Err(e) => return Err(self.error(e)),
            };
            if packet.track_id() != self.track {
                continue;
            }
            let decoded = match self.decoder.decode(&packet) {
                Ok(d) => d,
                // A damaged frame is skipped, as players do.
                Err(DecodeError::DecodeError(e)) => {
                    tracing::warn!("{}: skipped a damaged frame: {e}", self.path.display());
                    continue;
                }
                Err(e) => return Err(self.error(e)),
            };
            let spec = *decoded.spec();
            if spec.rate != CD_RATE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {} Hz, not 44100 Hz", self.path.display(), spec.rate),
                ));
            }
            let channels = spec.channels.count();
            let mut samples = SampleBuffer::<i16>::new(decoded.capacity() as u64, spec);
            samples.copy_interleaved_ref(decoded);
            self.pending.clear();
            self.at = 0;
            match channels {
                1 => {
                    for s in samples.samples() {
                        let b = s.to_le_bytes();
                        self.pending.extend_from_slice(&[b[0], b[1], b[0], b[1]]);
                    }
                }
                2 => {
                    for s in samples.samples() {
                        self.pending.extend_from_slice(&s.to_le_bytes());
                    }
                }
                n => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: {n} channels", self.path.display()),
                    ))
                }
            }
            if !self.pending.is_empty() {
                return Ok(true);
            }
        }
    }

    fn error(&self, e: DecodeError) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", self.path.display()),
        )
    }
}

impl Read for PcmReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.pending.len() {
            if self.done || !self.refill()? {
                self.done = true;
                return Ok(0);
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wav_header(rate: u32, channels: u16, data_len: u32) -> Vec<u8> {
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&36u32.wrapping_add(data_len).to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.extend_from_slice(&16u32.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&channels.to_le_bytes());
        v.extend_from_slice(&rate.to_le_bytes());
        v.extend_from_slice(&rate.wrapping_mul(u32::from(channels) * 2).to_le_bytes());
        v.extend_from_slice(&(channels * 2).to_le_bytes());
        v.extend_from_slice(&16u16.to_le_bytes());
        v.extend_from_slice(b"data");
        v.extend_from_slice(&data_len.to_le_bytes());
        v
    }

    #[test]
    fn a_stereo_wav_decodes_to_its_samples() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        let data: Vec<u8> = (0..4000u32).map(|i| (i * 7) as u8).collect();
        let mut file = wav_header(CD_RATE, 2, data.len() as u32);
        file.extend_from_slice(&data);
        std::fs::write(&p, file).unwrap();
        let mut f = AudioFile::open(&p).unwrap();
        assert_eq!(f.bytes, 4000);
        let mut out = Vec::new();
        f.reader.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Hostile files — a WAV header claiming anything, then any bytes — are refused or
        /// decoded, never a panic, and never more bytes than the header promised.
        #[test]
        fn hostile_files_never_panic(
            rate in prop_oneof![Just(CD_RATE), any::<u32>()],
            channels in 0u16..4,
            claimed in any::<u32>(),
            body in proptest::collection::vec(any::<u8>(), 0..2000),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("x.wav");
            let mut file = wav_header(rate, channels, claimed);
            file.extend_from_slice(&body);
            std::fs::write(&p, file).unwrap();
            if let Ok(mut f) = AudioFile::open(&p) {
                let mut out = Vec::new();
                let _ = (&mut f.reader).take(1 << 20).read_to_end(&mut out);
                prop_assert!(out.len() as u64 <= (body.len() as u64) * 2 + 8);
            }
        }
    }
}
