//! IMAPI2's names, HRESULT results and out-parameters over the idiomatic API, so code
//! ported from Windows reads the same.
//!
//! Every method delegates to [`WriteEngine`] / [`Recorder`]; the doc of each names its
//! IMAPI2 reference page (learn.microsoft.com, `imapi2/nf-imapi2-…`). Out-parameters are
//! `Option<&mut T>`: `None` is the NULL pointer and gives `E_POINTER`, as in COM.
//!
//! ```
//! use discburn::imapi2::MsftWriteEngine2;
//! use discburn::hresult::{E_INVALIDARG, S_OK};
//!
//! let engine = MsftWriteEngine2::new();
//! let mut bps = 0;
//! assert_eq!(engine.get_BytesPerSector(Some(&mut bps)), S_OK);
//! assert_eq!(bps, -1); // -1 until put
//! assert_eq!(engine.put_EndingSectorsPerSecond(0), E_INVALIDARG);
//! assert_eq!(engine.put_EndingSectorsPerSecond(75 * 40), S_OK);
//! ```
#![allow(non_snake_case)]

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use std::sync::Mutex;

use crate::burn::{AudioError, TrackAtOnce};
use crate::engine::{CancelOutcome, Update, WriteEngine};
use crate::error::Error;
use crate::hresult::{self, HResult};
use crate::recorder::{ModePageRequest, ReadTrackAddressType, Recorder};

fn hr(r: Result<(), Error>) -> HResult {
    match r {
        Ok(()) => hresult::S_OK,
        Err(e) => e.hresult(),
    }
}

fn out<T>(slot: Option<&mut T>, value: T) -> HResult {
    match slot {
        Some(s) => {
            *s = value;
            hresult::S_OK
        }
        None => hresult::E_POINTER,
    }
}

/// `IWriteEngine2EventArgs` over one [`Update`].
#[derive(Debug, Clone, Copy)]
pub struct WriteEngine2EventArgs<'a>(pub &'a Update);

impl WriteEngine2EventArgs<'_> {
    /// IWriteEngine2EventArgs::get_StartLba.
    pub fn get_StartLba(&self, value: Option<&mut i32>) -> HResult {
        out(value, self.0.start_lba)
    }
    /// IWriteEngine2EventArgs::get_SectorCount.
    pub fn get_SectorCount(&self, value: Option<&mut i32>) -> HResult {
        out(value, self.0.sector_count)
    }
    /// IWriteEngine2EventArgs::get_LastReadLba.
    pub fn get_LastReadLba(&self, value: Option<&mut i32>) -> HResult {
        out(value, self.0.last_read_lba)
    }
    /// IWriteEngine2EventArgs::get_LastWrittenLba.
    pub fn get_LastWrittenLba(&self, value: Option<&mut i32>) -> HResult {
        out(value, self.0.last_written_lba)
    }
    /// IWriteEngine2EventArgs::get_TotalSystemBuffer (LONG: saturates at i32::MAX).
    pub fn get_TotalSystemBuffer(&self, value: Option<&mut i32>) -> HResult {
        out(value, sat(self.0.total_system_buffer))
    }
    /// IWriteEngine2EventArgs::get_UsedSystemBuffer.
    pub fn get_UsedSystemBuffer(&self, value: Option<&mut i32>) -> HResult {
        out(value, sat(self.0.used_system_buffer))
    }
    /// IWriteEngine2EventArgs::get_FreeSystemBuffer.
    pub fn get_FreeSystemBuffer(&self, value: Option<&mut i32>) -> HResult {
        out(value, sat(self.0.free_system_buffer))
    }
}

fn sat(v: u64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// `MsftWriteEngine2` (CLSID 2735412C-…): IWriteEngine2.
#[derive(Debug, Clone, Default)]
pub struct MsftWriteEngine2 {
    engine: Arc<WriteEngine>,
}

impl MsftWriteEngine2 {
    /// CoCreateInstance(CLSID_MsftWriteEngine2).
    pub fn new() -> Self {
        MsftWriteEngine2::default()
    }

    /// The idiomatic engine behind this object.
    pub fn engine(&self) -> &Arc<WriteEngine> {
        &self.engine
    }

    /// DWriteEngine2Events::Update via a connection point (`DispEventAdvise`): the handler
    /// gets the engine (to call `CancelWrite`) and the event args.
    pub fn Advise(
        &self,
        mut handler: impl FnMut(&MsftWriteEngine2, WriteEngine2EventArgs<'_>) + Send + 'static,
    ) {
        let me = self.clone();
        self.engine
            .on_update(move |_, u| handler(&me, WriteEngine2EventArgs(u)));
    }

    /// IWriteEngine2::put_Recorder (`nf-imapi2-iwriteengine2-put_recorder`).
    pub fn put_Recorder(&self, value: Option<&MsftDiscRecorder2>) -> HResult {
        match value {
            Some(r) => hr(self.engine.set_recorder(Arc::clone(&r.recorder))),
            None => hresult::E_POINTER,
        }
    }

    /// IWriteEngine2::get_Recorder (`nf-imapi2-iwriteengine2-get_recorder`).
    pub fn get_Recorder(&self, value: Option<&mut Option<MsftDiscRecorder2>>) -> HResult {
        out(
            value,
            self.engine
                .recorder()
                .map(|recorder| MsftDiscRecorder2 { recorder }),
        )
    }

    /// IWriteEngine2::put_UseStreamingWrite12 (`…-put_usestreamingwrite12`); TRUE is
    /// implemented here (IMAPI2 returns E_NOTIMPL).
    pub fn put_UseStreamingWrite12(&self, value: bool) -> HResult {
        hr(self.engine.set_use_streaming_write12(value))
    }

    /// IWriteEngine2::get_UseStreamingWrite12.
    pub fn get_UseStreamingWrite12(&self, value: Option<&mut bool>) -> HResult {
        out(value, self.engine.use_streaming_write12())
    }

    /// IWriteEngine2::put_StartingSectorsPerSecond (`…-put_startingsectorspersecond`).
    pub fn put_StartingSectorsPerSecond(&self, value: i32) -> HResult {
        hr(self.engine.set_starting_sectors_per_second(value))
    }

    /// IWriteEngine2::get_StartingSectorsPerSecond.
    pub fn get_StartingSectorsPerSecond(&self, value: Option<&mut i32>) -> HResult {
        out(value, self.engine.starting_sectors_per_second())
    }

    /// IWriteEngine2::put_EndingSectorsPerSecond (`…-put_endingsectorspersecond`).
    pub fn put_EndingSectorsPerSecond(&self, value: i32) -> HResult {
        hr(self.engine.set_ending_sectors_per_second(value))
    }

    /// IWriteEngine2::get_EndingSectorsPerSecond (`…-get_endingsectorspersecond`).
    pub fn get_EndingSectorsPerSecond(&self, value: Option<&mut i32>) -> HResult {
        out(value, self.engine.ending_sectors_per_second())
    }

    /// IWriteEngine2::put_BytesPerSector (`…-put_bytespersector`).
    pub fn put_BytesPerSector(&self, value: i32) -> HResult {
        hr(self.engine.set_bytes_per_sector(value))
    }

    /// IWriteEngine2::get_BytesPerSector (−1 until put).
    pub fn get_BytesPerSector(&self, value: Option<&mut i32>) -> HResult {
        out(value, self.engine.bytes_per_sector())
    }

    /// IWriteEngine2::get_WriteInProgress (`…-get_writeinprogress`).
    pub fn get_WriteInProgress(&self, value: Option<&mut bool>) -> HResult {
        out(value, self.engine.write_in_progress())
    }

    /// IWriteEngine2::WriteSection (`nf-imapi2-iwriteengine2-writesection`); `None` data
    /// is the NULL stream (E_POINTER).
    pub fn WriteSection<R: Read + Send>(
        &self,
        data: Option<R>,
        startingBlockAddress: i32,
        numberOfBlocks: i32,
    ) -> HResult {
        match data {
            Some(d) => hr(self
                .engine
                .write_section(d, startingBlockAddress, numberOfBlocks)
                .map(|_| ())),
            None => hresult::E_POINTER,
        }
    }

    /// IWriteEngine2::CancelWrite (`nf-imapi2-iwriteengine2-cancelwrite`): S_OK, or
    /// S_IMAPI_WRITE_NOT_IN_PROGRESS when no write runs. Any thread may call it.
    pub fn CancelWrite(&self) -> HResult {
        match self.engine.cancel_write() {
            CancelOutcome::Cancelled => hresult::S_OK,
            CancelOutcome::NotInProgress => hresult::S_IMAPI_WRITE_NOT_IN_PROGRESS,
        }
    }
}

/// `MsftDiscRecorder2` seen through IDiscRecorder2Ex and IDiscRecorder2.
#[derive(Debug, Clone)]
pub struct MsftDiscRecorder2 {
    recorder: Arc<Recorder>,
}

/// Copies the sense into IMAPI2's 18-byte sense buffer in fixed format (SPC-4 §4.5.3),
/// converting descriptor-format sense (§4.5.2) as IMAPI2's `SENSE_DATA` callers expect.
fn copy_sense(e: &Error, sense: &mut [u8; 18]) -> HResult {
    match e.sense_info() {
        Some(s) => {
            sense.fill(0);
            let fixed = s.to_fixed_vec();
            let n = fixed.len().min(18);
            sense[..n].copy_from_slice(&fixed[..n]);
            hresult::S_IMAPI_COMMAND_HAS_SENSE_DATA
        }
        None => e.hresult(),
    }
}

impl MsftDiscRecorder2 {
    /// Wraps a recorder.
    pub fn new(recorder: Arc<Recorder>) -> Self {
        MsftDiscRecorder2 { recorder }
    }

    /// The idiomatic recorder behind this object.
    pub fn recorder(&self) -> &Arc<Recorder> {
        &self.recorder
    }

    /// IDiscRecorder2Ex::SendCommandNoData (`nf-imapi2-idiscrecorder2ex-sendcommandnodata`):
    /// S_IMAPI_COMMAND_HAS_SENSE_DATA (a success code) with `sense` filled on CHECK
    /// CONDITION.
    pub fn SendCommandNoData(&self, cdb: &[u8], sense: &mut [u8; 18], timeout: u32) -> HResult {
        match self
            .recorder
            .send_command_no_data(cdb, Duration::from_secs(u64::from(timeout)))
        {
            Ok(()) => hresult::S_OK,
            Err(e) => copy_sense(&e, sense),
        }
    }

    /// IDiscRecorder2Ex::SendCommandSendDataToDevice.
    pub fn SendCommandSendDataToDevice(
        &self,
        cdb: &[u8],
        sense: &mut [u8; 18],
        timeout: u32,
        buffer: &[u8],
    ) -> HResult {
        match self.recorder.send_command_send_data_to_device(
            cdb,
            buffer,
            Duration::from_secs(u64::from(timeout)),
        ) {
            Ok(()) => hresult::S_OK,
            Err(e) => copy_sense(&e, sense),
        }
    }

    /// IDiscRecorder2Ex::SendCommandGetDataFromDevice: `fetched` gets the bytes moved.
    pub fn SendCommandGetDataFromDevice(
        &self,
        cdb: &[u8],
        sense: &mut [u8; 18],
        timeout: u32,
        buffer: &mut [u8],
        fetched: Option<&mut u32>,
    ) -> HResult {
        let Some(fetched) = fetched else {
            return hresult::E_POINTER;
        };
        match self.recorder.send_command_get_data_from_device(
            cdb,
            buffer,
            Duration::from_secs(u64::from(timeout)),
        ) {
            Ok(n) => {
                *fetched = n as u32;
                hresult::S_OK
            }
            Err(e) => copy_sense(&e, sense),
        }
    }

    /// IDiscRecorder2Ex::GetDiscInformation.
    pub fn GetDiscInformation(&self, data: Option<&mut Vec<u8>>) -> HResult {
        result_out(data, self.recorder.disc_information_raw())
    }

    /// IDiscRecorder2Ex::GetTrackInformation.
    pub fn GetTrackInformation(
        &self,
        address: u32,
        addressType: ReadTrackAddressType,
        data: Option<&mut Vec<u8>>,
    ) -> HResult {
        result_out(
            data,
            self.recorder.track_information_raw(address, addressType),
        )
    }

    /// IDiscRecorder2Ex::GetFeaturePage (feature header removed).
    pub fn GetFeaturePage(
        &self,
        requestedFeature: u16,
        currentFeatureOnly: bool,
        data: Option<&mut Vec<u8>>,
    ) -> HResult {
        result_out(
            data,
            self.recorder
                .feature_page(requestedFeature.into(), currentFeatureOnly),
        )
    }

    /// IDiscRecorder2Ex::GetSupportedProfiles (IMAPI_PROFILE_TYPE values).
    pub fn GetSupportedProfiles(
        &self,
        currentOnly: bool,
        profiles: Option<&mut Vec<u16>>,
    ) -> HResult {
        result_out(
            profiles,
            self.recorder
                .supported_profiles(currentOnly)
                .map(|v| v.into_iter().map(u16::from).collect()),
        )
    }

    /// IDiscRecorder2Ex::GetSupportedFeaturePages (IMAPI_FEATURE_PAGE_TYPE values).
    pub fn GetSupportedFeaturePages(
        &self,
        currentOnly: bool,
        pages: Option<&mut Vec<u16>>,
    ) -> HResult {
        result_out(
            pages,
            self.recorder
                .supported_feature_pages(currentOnly)
                .map(|v| v.into_iter().map(u16::from).collect()),
        )
    }

    /// IDiscRecorder2Ex::GetModePage (header removed; starts at the page code).
    pub fn GetModePage(
        &self,
        requestedModePage: u8,
        requestType: ModePageRequest,
        data: Option<&mut Vec<u8>>,
    ) -> HResult {
        result_out(
            data,
            self.recorder.mode_page(requestedModePage, requestType),
        )
    }

    /// IDiscRecorder2Ex::SetModePage (the mode parameter header is added).
    pub fn SetModePage(&self, requestType: ModePageRequest, data: &[u8]) -> HResult {
        hr(self.recorder.set_mode_page(requestType, data))
    }

    /// IDiscRecorder2Ex::GetByteAlignmentMask.
    pub fn GetByteAlignmentMask(&self, value: Option<&mut u32>) -> HResult {
        out(value, self.recorder.byte_alignment_mask())
    }

    /// IDiscRecorder2Ex::GetMaximumNonPageAlignedTransferSize.
    pub fn GetMaximumNonPageAlignedTransferSize(&self, value: Option<&mut u32>) -> HResult {
        out(
            value,
            self.recorder.maximum_non_page_aligned_transfer_size(),
        )
    }

    /// IDiscRecorder2Ex::GetMaximumPageAlignedTransferSize.
    pub fn GetMaximumPageAlignedTransferSize(&self, value: Option<&mut u32>) -> HResult {
        out(value, self.recorder.maximum_page_aligned_transfer_size())
    }

    /// IDiscRecorder2::AcquireExclusiveAccess.
    pub fn AcquireExclusiveAccess(&self, force: bool, clientName: &str) -> HResult {
        hr(self.recorder.acquire_exclusive_access(force, clientName))
    }

    /// IDiscRecorder2::ReleaseExclusiveAccess.
    pub fn ReleaseExclusiveAccess(&self) -> HResult {
        hr(self.recorder.release_exclusive_access())
    }

    /// IDiscRecorder2::get_ExclusiveAccessOwner (empty when nobody holds it).
    pub fn get_ExclusiveAccessOwner(&self, value: Option<&mut String>) -> HResult {
        out(
            value,
            self.recorder.exclusive_access_owner().unwrap_or_default(),
        )
    }

    /// IDiscRecorder2::EjectMedia.
    pub fn EjectMedia(&self) -> HResult {
        hr(self.recorder.eject_media())
    }

    /// IDiscRecorder2::CloseTray.
    pub fn CloseTray(&self) -> HResult {
        hr(self.recorder.close_tray())
    }

    /// IDiscRecorder2::get_ActiveDiscRecorder.
    pub fn get_ActiveDiscRecorder(&self, value: Option<&mut String>) -> HResult {
        out(value, self.recorder.active_disc_recorder().to_string())
    }

    /// IDiscRecorder2::get_VendorId.
    pub fn get_VendorId(&self, value: Option<&mut String>) -> HResult {
        result_out(value, self.recorder.vendor_id())
    }

    /// IDiscRecorder2::get_ProductId.
    pub fn get_ProductId(&self, value: Option<&mut String>) -> HResult {
        result_out(value, self.recorder.product_id())
    }

    /// IDiscRecorder2::get_ProductRevision.
    pub fn get_ProductRevision(&self, value: Option<&mut String>) -> HResult {
        result_out(value, self.recorder.product_revision())
    }
}

/// `MsftDiscFormat2TrackAtOnce`: IDiscFormat2TrackAtOnce (`nn-imapi2-idiscformat2trackatonce`)
/// over [`TrackAtOnce`]. AddAudioTrack blocks while it writes; CancelAddTrack may be
/// called from any other thread.
#[derive(Default)]
pub struct MsftDiscFormat2TrackAtOnce {
    writer: Mutex<Option<TrackAtOnce>>,
    engine: Mutex<Option<Arc<WriteEngine>>>,
}

impl MsftDiscFormat2TrackAtOnce {
    /// CoCreateInstance(CLSID_MsftDiscFormat2TrackAtOnce).
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut TrackAtOnce) -> Result<T, AudioError>,
    ) -> Result<T, HResult> {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let w = w
            .as_mut()
            .ok_or(hresult::E_IMAPI_DF2TAO_NO_RECORDER_SPECIFIED)?;
        f(w).map_err(|e| e.hresult())
    }

    fn done(r: Result<(), HResult>) -> HResult {
        r.err().unwrap_or(hresult::S_OK)
    }

    /// IDiscFormat2TrackAtOnce::put_Recorder; refused while the medium is prepared.
    pub fn put_Recorder(&self, value: Option<&MsftDiscRecorder2>) -> HResult {
        let Some(r) = value else {
            return hresult::E_POINTER;
        };
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if w.as_ref().is_some_and(|t| t.is_prepared()) {
            return hresult::E_IMAPI_DF2TAO_MEDIA_IS_PREPARED;
        }
        match TrackAtOnce::new(Arc::clone(&r.recorder)) {
            Ok(t) => {
                *self.engine.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Arc::clone(t.engine()));
                *w = Some(t);
                hresult::S_OK
            }
            Err(e) => e.hresult(),
        }
    }

    /// IDiscFormat2TrackAtOnce::put_DoNotFinalizeMedia.
    pub fn put_DoNotFinalizeMedia(&self, value: bool) -> HResult {
        Self::done(self.with(|t| t.set_do_not_finalize_media(value)))
    }

    /// IDiscFormat2TrackAtOnce::get_DoNotFinalizeMedia.
    pub fn get_DoNotFinalizeMedia(&self, value: Option<&mut bool>) -> HResult {
        match self.with(|t| Ok(t.do_not_finalize_media())) {
            Ok(v) => out(value, v),
            Err(h) => h,
        }
    }

    /// IDiscFormat2TrackAtOnce::put_BufferUnderrunFreeDisabled.
    pub fn put_BufferUnderrunFreeDisabled(&self, value: bool) -> HResult {
        Self::done(self.with(|t| t.set_buffer_underrun_free_disabled(value)))
    }

    /// IDiscFormat2TrackAtOnce::get_BufferUnderrunFreeDisabled.
    pub fn get_BufferUnderrunFreeDisabled(&self, value: Option<&mut bool>) -> HResult {
        match self.with(|t| Ok(t.buffer_underrun_free_disabled())) {
            Ok(v) => out(value, v),
            Err(h) => h,
        }
    }

    /// IDiscFormat2TrackAtOnce::PrepareMedia.
    pub fn PrepareMedia(&self) -> HResult {
        Self::done(self.with(|t| t.prepare_media()))
    }

    /// IDiscFormat2TrackAtOnce::AddAudioTrack: `bytes` of 44.1 kHz 16-bit stereo samples
    /// (a WAV file's data chunk) from `data`; `None` is the NULL stream.
    pub fn AddAudioTrack<R: Read + Send>(&self, data: Option<R>, bytes: u64) -> HResult {
        let Some(d) = data else {
            return hresult::E_POINTER;
        };
        Self::done(self.with(|t| t.add_audio_track(d, bytes).map(|_| ())))
    }

    /// IDiscFormat2TrackAtOnce::CancelAddTrack: S_OK, or S_IMAPI_WRITE_NOT_IN_PROGRESS.
    pub fn CancelAddTrack(&self) -> HResult {
        let engine = self
            .engine
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match engine.map(|e| e.cancel_write()) {
            Some(CancelOutcome::Cancelled) => hresult::S_OK,
            _ => hresult::S_IMAPI_WRITE_NOT_IN_PROGRESS,
        }
    }

    /// IDiscFormat2TrackAtOnce::ReleaseMedia.
    pub fn ReleaseMedia(&self) -> HResult {
        Self::done(self.with(|t| t.release_media()))
    }

    /// IDiscFormat2TrackAtOnce::get_NumberOfExistingTracks: tracks added since
    /// PrepareMedia.
    pub fn get_NumberOfExistingTracks(&self, value: Option<&mut i32>) -> HResult {
        match self.with(|t| Ok(t.tracks().len() as i32)) {
            Ok(v) => out(value, v),
            Err(h) => h,
        }
    }
}

fn result_out<T>(slot: Option<&mut T>, r: Result<T, Error>) -> HResult {
    match (slot, r) {
        (None, _) => hresult::E_POINTER,
        (Some(s), Ok(v)) => {
            *s = v;
            hresult::S_OK
        }
        (Some(_), Err(e)) => e.hresult(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SenseInfo;
    use discburn_mmc::{Cdb, OpCode};

    #[test]
    fn descriptor_sense_reaches_imapi2_in_fixed_format() {
        // 72h descriptor-format sense: 3/0C/09 LOSS OF STREAMING with an information
        // descriptor (LBA 0x1234), as an SPC-4 drive may send it.
        let descriptor = vec![
            0x72, 0x03, 0x0C, 0x09, 0, 0, 0, 12, // header, 12 bytes of descriptors
            0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, // information, VALID
        ];
        let e = Error::sense(
            Cdb::new(OpCode::Write10, 10),
            SenseInfo::from_raw(descriptor),
        );
        let mut sense = [0xAAu8; 18];
        assert_eq!(
            copy_sense(&e, &mut sense),
            hresult::S_IMAPI_COMMAND_HAS_SENSE_DATA
        );
        assert_eq!(sense[0] & 0x7F, 0x70, "fixed format, current");
        assert_eq!(sense[0] & 0x80, 0x80, "VALID: INFORMATION carried over");
        assert_eq!(sense[2] & 0x0F, 0x03);
        assert_eq!(&sense[3..7], &[0, 0, 0x12, 0x34]);
        assert_eq!((sense[12], sense[13]), (0x0C, 0x09));
    }

    #[test]
    fn a_failure_without_sense_keeps_its_own_hresult() {
        let e = Error::new(crate::ErrorKind::Cancelled);
        let mut sense = [0u8; 18];
        assert_eq!(
            copy_sense(&e, &mut sense),
            hresult::E_IMAPI_REQUEST_CANCELLED
        );
    }
}
