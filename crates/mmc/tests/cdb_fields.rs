//! Every CDB declared with `command!`, family by family: any valid command emits a CDB of
//! its length and opcode that parses back to it, and parsing arbitrary bytes never
//! panics; what parses re-emits as a CDB that parses back the same, and (but for the
//! TOC format's older place, which MMC moves) sets no bit the input did not have, so
//! reserved bits are ignored and never invented.

use core::fmt::Debug;

use discburn_mmc::config::{FeatureCode, GetConfiguration, ReturnType};
use discburn_mmc::cue::SendCueSheet;
use discburn_mmc::device::{
    Inquiry, MechanismStatus, PowerCondition, PreventAllowMediumRemoval, RequestSense,
    StartStopUnit, TestUnitReady,
};
use discburn_mmc::disc::{
    DiscInformationType, DiscStructureMedia, ReadDiscInformation, ReadDiscStructure,
    ReadTocPmaAtip, TocFormat,
};
use discburn_mmc::event::{EventClasses, GetEventStatusNotification};
use discburn_mmc::format::{Blank, BlankingType, FormatUnit, ReadFormatCapacities};
use discburn_mmc::mode::{ModeSelect10, ModeSense10, PageControl};
use discburn_mmc::rw::{Read10, Read12, ReadCapacity10, SynchronizeCache10, Write10, Write12};
use discburn_mmc::speed::{
    Except, GetPerformance, PerformanceType, ReadBufferCapacity, RotationControl, SetCdSpeed,
    SetStreaming, StreamingType, TOLERANCE_10_PERCENT,
};
use discburn_mmc::track::{
    CloseFunction, CloseTrackSession, ReadTrackInformation, Reservation, ReserveTrack, TrackAddress,
};
use discburn_mmc::Command;
use proptest::prelude::*;
use proptest::sample::select;

/// `c` emits a CDB of its length and opcode that parses back to `c`.
fn round_trip<C: Command + PartialEq + Debug>(c: C) -> Result<(), TestCaseError> {
    let cdb = c.emit();
    prop_assert_eq!(cdb.as_bytes().len(), C::LEN);
    prop_assert_eq!(cdb.opcode(), C::OPCODE);
    prop_assert_eq!(C::parse(cdb.as_bytes()), Ok(c));
    Ok(())
}

/// Parses the first `len` bytes of `raw` (with `C`'s opcode when `own_opcode`); what
/// parses re-emits and parses back the same, and with `projects` emits only input bits.
fn parse_arbitrary<C: Command + PartialEq + Debug>(
    raw: [u8; 16],
    len: usize,
    own_opcode: bool,
    projects: bool,
) -> Result<(), TestCaseError> {
    let mut raw = raw;
    if own_opcode {
        raw[0] = C::OPCODE.into();
    }
    let bytes = &raw[..len.min(raw.len())];
    if let Ok(c) = C::parse(bytes) {
        let again = c.emit();
        prop_assert_eq!(C::parse(again.as_bytes()), Ok(c));
        if projects {
            for (i, (e, r)) in again.as_bytes().iter().zip(bytes).enumerate() {
                prop_assert_eq!(e & !r, 0, "byte {} of {:?} from {:02x?}", i, again, bytes);
            }
        }
    }
    Ok(())
}

/// A proptest over arbitrary 16-byte inputs for each command listed.
macro_rules! parse_never_panics {
    ($name:ident: $($cmd:ty $(, projects $p:literal)?);+ $(;)?) => {
        proptest! {
            #[test]
            fn $name(raw in any::<[u8; 16]>(), len in 0usize..=16, own_opcode in any::<bool>()) {
                $( parse_arbitrary::<$cmd>(raw, len, own_opcode, true $(&& $p)?)?; )+
            }
        }
    };
}

parse_never_panics!(rw_parse_never_panics:
    Read10; Read12; Write10; Write12; SynchronizeCache10; ReadCapacity10);
parse_never_panics!(device_parse_never_panics:
    TestUnitReady; RequestSense; Inquiry; StartStopUnit; PreventAllowMediumRemoval;
    MechanismStatus);
parse_never_panics!(track_parse_never_panics:
    ReadTrackInformation; ReserveTrack; CloseTrackSession);
parse_never_panics!(disc_parse_never_panics:
    ReadDiscInformation; ReadDiscStructure; ReadTocPmaAtip, projects false);
parse_never_panics!(format_parse_never_panics: FormatUnit; ReadFormatCapacities; Blank);
parse_never_panics!(mode_parse_never_panics: ModeSense10; ModeSelect10);
parse_never_panics!(speed_parse_never_panics:
    GetPerformance; SetStreaming; SetCdSpeed; ReadBufferCapacity);
parse_never_panics!(config_parse_never_panics: GetConfiguration);
parse_never_panics!(event_parse_never_panics: GetEventStatusNotification);
parse_never_panics!(cue_parse_never_panics: SendCueSheet);

/// Any address: type 00b, 01b or 10b with any number.
fn track_address() -> impl Strategy<Value = TrackAddress> {
    (0u8..3, any::<u32>()).prop_map(|(t, v)| match t {
        0 => TrackAddress::Lba(v),
        1 => TrackAddress::Track(v),
        _ => TrackAddress::Session(v),
    })
}

/// Any reservation: a size (ARSV 0) or an ending LBA (ARSV 1).
fn reservation() -> impl Strategy<Value = Reservation> {
    (any::<bool>(), any::<u32>()).prop_map(|(lba, v)| {
        if lba {
            Reservation::Lba(v)
        } else {
            Reservation::Size(v)
        }
    })
}

proptest! {
    #[test]
    fn rw_round_trip(lba: u32, short: u16, long: u32, dpo: bool, fua: bool, streaming: bool) {
        round_trip(Read10 { lba, blocks: short, dpo, fua })?;
        round_trip(Write10 { lba, blocks: short, dpo, fua })?;
        round_trip(Read12 { lba, blocks: long, dpo, fua, streaming })?;
        round_trip(Write12 { lba, blocks: long, dpo, fua, streaming })?;
        round_trip(SynchronizeCache10 { immed: fua, lba, blocks: short })?;
        round_trip(ReadCapacity10)?;
    }

    #[test]
    fn device_round_trip(
        flags in any::<[bool; 4]>(),
        byte: u8,
        alloc: u16,
        power_condition in select(PowerCondition::KNOWN),
    ) {
        let [a, b, c, d] = flags;
        round_trip(TestUnitReady)?;
        round_trip(RequestSense { desc: a, alloc: byte })?;
        round_trip(Inquiry { evpd: a, page_code: if a { byte } else { 0 }, alloc })?;
        round_trip(StartStopUnit { immed: a, power_condition, load_eject: b, start: c })?;
        round_trip(PreventAllowMediumRemoval { prevent: c, persistent: d })?;
        round_trip(MechanismStatus { alloc })?;
    }

    #[test]
    fn track_round_trip(
        open: bool,
        address in track_address(),
        alloc: u16,
        reservation in reservation(),
        immed: bool,
        function in select(CloseFunction::KNOWN),
    ) {
        let open = open && matches!(address, TrackAddress::Track(_));
        round_trip(ReadTrackInformation { open, address, alloc })?;
        round_trip(ReserveTrack { reservation })?;
        round_trip(CloseTrackSession { immed, function, number: alloc })?;
    }

    #[test]
    fn disc_round_trip(
        data_type in select(DiscInformationType::KNOWN),
        media_type in select(DiscStructureMedia::KNOWN),
        format in select(TocFormat::KNOWN),
        address: u32,
        bytes: [u8; 2],
        alloc: u16,
        agid in 0u8..4,
        msf: bool,
    ) {
        round_trip(ReadDiscInformation { data_type, alloc })?;
        round_trip(ReadDiscStructure {
            media_type,
            address,
            layer: bytes[0],
            format: bytes[1],
            alloc,
            agid,
        })?;
        round_trip(ReadTocPmaAtip { msf, format, track_session: bytes[0], alloc })?;
    }

    #[test]
    fn format_round_trip(
        flags in any::<[bool; 2]>(),
        alloc: u16,
        blanking_type in select(BlankingType::KNOWN),
        address: u32,
    ) {
        round_trip(FormatUnit { fmt_data: flags[0], cmp_list: flags[1] })?;
        round_trip(ReadFormatCapacities { alloc })?;
        round_trip(Blank { immed: flags[0], blanking_type, address })?;
    }

    #[test]
    fn mode_round_trip(
        flags in any::<[bool; 2]>(),
        pc in select(PageControl::KNOWN),
        page_code in 0u8..0x40,
        subpage: u8,
        length: u16,
    ) {
        round_trip(ModeSense10 {
            dbd: flags[0],
            pc,
            page_code,
            subpage,
            allocation_length: length,
        })?;
        round_trip(ModeSelect10 { pf: flags[0], sp: flags[1], parameter_list_length: length })?;
    }

    #[test]
    fn speed_round_trip(
        kind in any::<u8>().prop_map(PerformanceType::from),
        tolerance in 0u8..4,
        except in (0u8..4).prop_map(Except::from),
        write: bool,
        start_lba: u32,
        counts: [u16; 2],
        streaming in select(StreamingType::KNOWN),
        rotation in select(RotationControl::KNOWN),
    ) {
        // Type 00h asks for a 10 % tolerance and a defined Except value.
        let (tolerance, except) = match (kind, except) {
            (PerformanceType::Performance, Except::Unknown(_)) => (TOLERANCE_10_PERCENT, Except::All),
            (PerformanceType::Performance, e) => (TOLERANCE_10_PERCENT, e),
            (_, e) => (tolerance, e),
        };
        round_trip(GetPerformance {
            tolerance,
            write,
            except,
            start_lba,
            max_descriptors: counts[0],
            kind,
        })?;
        round_trip(SetStreaming { kind: streaming, parameter_list_length: counts[0] })?;
        round_trip(SetCdSpeed { rotation, read_kbps: counts[0], write_kbps: counts[1] })?;
        round_trip(ReadBufferCapacity { block: write, allocation_length: counts[1] })?;
    }

    #[test]
    fn config_round_trip(
        rt in select(ReturnType::KNOWN),
        feature in any::<u16>().prop_map(FeatureCode::from),
        allocation_length: u16,
    ) {
        round_trip(GetConfiguration { rt, starting_feature: feature, allocation_length })?;
    }

    #[test]
    fn event_round_trip(polled: bool, classes: u8, alloc: u16) {
        let classes = EventClasses::from_bits(classes);
        round_trip(GetEventStatusNotification { polled, classes, alloc })?;
    }

    #[test]
    fn cue_round_trip(cue_sheet_size in 0u32..=0xFF_FFFF) {
        round_trip(SendCueSheet { cue_sheet_size })?;
    }
}
