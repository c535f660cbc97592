//! What the user could try: the command line's advice for the library's typed errors,
//! naming this program's commands and flags (the library says only what happened).

use discburn::burn::{BurnError, Unsuitable};
use discburn::mmc::profile::Profile;
use discburn::mmc::sense::{Asc, Refusal, SenseClass, SenseKey};
use discburn::{ErrorKind, OpenFailure, OpenProblem};

/// What the user could try, in one sentence, for a workflow error.
pub fn burn_hint(e: &BurnError) -> Option<String> {
    Some(match e {
        BurnError::NoMedium => "Insert a disc and try again.".into(),
        BurnError::NotWritable { .. } => "Insert a recordable disc (CD-R/RW, DVD±R/RW, DVD-RAM, BD-R/RE).".into(),
        BurnError::Closed { profile } if profile.is_rewritable() => {
            "Erase it with `discburn blank` first, or use a new disc.".into()
        }
        BurnError::Closed { .. } => "Use a new disc; a finalized write-once disc cannot take more data.".into(),
        BurnError::NotBlank { profile: Profile::DvdRwSequential, .. } => "Erase it with `discburn blank` (--full to erase every sector) and write again, or add --multi to append a session to it.".into(),
        BurnError::NotBlank { .. } => "Use a blank disc, or erase this one with `discburn blank` if it is rewritable.".into(),
        BurnError::TooLarge { .. } => "Use a larger disc, or leave some files out.".into(),
        BurnError::TestWriteUnsupported { .. } => "Burn without --dummy, or use a CD-R/RW or DVD-R/RW to simulate.".into(),
        BurnError::NotWholeSectors { .. } => "Burn a data image (ISO 9660/UDF), or pass the folder itself to build one.".into(),
        BurnError::NotAnImageFile { .. } => "Name an image file; `discburn write` burns a folder as such, and `discburn write - --size N` reads a pipe.".into(),
        BurnError::ImageAddressedElsewhere { start_lba, last_session, .. } => format!(
            "Burn the folder instead (discburn masters it for sector {start_lba} and carries the earlier sessions' files forward), master the image for this address with `xorriso -as mkisofs -C {},{start_lba} -M /dev/DRIVE ...` or `mkisofs -C {},{start_lba}`, or use a blank disc.",
            last_session.unwrap_or(0),
            last_session.unwrap_or(0)
        ),
        BurnError::StreamShort { .. } => "Check what feeds the pipe; give --size the stream's exact length, or leave --size out on a write-once disc to write to the end of the stream.".into(),
        BurnError::LengthsDiffer { .. } => "The disc holds something else, or a different version of the image: compare with the image that was burnt (and --lba where its session starts).".into(),
        BurnError::VerifyStopped { .. } => "Check the drive's connection and that the disc is still in, then run `discburn verify` again.".into(),
        BurnError::VerifyFailed(_) => "The disc may be faulty: burn a new one, perhaps at a lower --speed.".into(),
        BurnError::FilesDiffer { .. } => "A file changed after it was burnt, or the disc holds another folder; burn the folder again once it no longer changes.".into(),
        BurnError::NotRecorded(_) => "Treat this disc as not written; try another disc or a lower speed, and keep the log for a bug report.".into(),
        BurnError::Abandoned { .. } => "Wait until the drive is idle, then look at the disc with `discburn info`; treat it as unfinished unless `discburn verify IMAGE` passes.".into(),
        BurnError::Unconfirmed(_) => "Check the disc with `discburn info` and `discburn verify IMAGE` before relying on it.".into(),
        BurnError::Unsuitable(u) => return unsuitable_hint(u).map(str::to_string),
    BurnError::Device { source, .. } => match (source.sense_class(), source.refusal()) {
            _ if source.is_sense(SenseKey::MediumError, Asc::LOSS_OF_STREAMING) => "The drive ran out of data (buffer underrun): close other programs or burn at a lower --speed.".into(),
            (Some(SenseClass::MediumError), _) => "The disc may be faulty or incompatible with this drive: try another disc or a lower --speed.".into(),
            (Some(SenseClass::DataProtect), _) => "The disc is write-protected.".into(),
            (_, Some(Refusal::InvalidAddress | Refusal::EndOfUserArea)) => "The drive refused the address or ran out of space: check the disc's free space with `discburn info`.".into(),
            (_, Some(Refusal::IncompatibleMedium)) => "The drive cannot write this disc: check `discburn info` and try another disc.".into(),
            (Some(SenseClass::HardwareError), _) => "The drive reports a hardware error: power-cycle it and try again; it may be faulty.".into(),
            (Some(SenseClass::MediumChanged | SenseClass::Reset | SenseClass::UnitAttention), _) => "The disc or drive changed state during the operation; check the disc with `discburn info`.".into(),
            _ => match source.kind() {
                ErrorKind::Transport(_) => "Check the drive's connection (cable, network, address).".into(),
                ErrorKind::Locked { .. } | ErrorKind::Busy(_) => "Another program is using the drive, or its disc is mounted: close or unmount it and try again.".into(),
                _ => return None,
            },
        },
        _ => return None,
    })
}

/// The advice for a request that does not suit the source or the disc.
fn unsuitable_hint(u: &Unsuitable) -> Option<&'static str> {
    Some(match u {
        Unsuitable::StreamLengthForSao { .. } => {
            "Give the stream's size with --size, or burn it Track-At-Once (without --sao)."
        }
        Unsuitable::StreamLengthForRandomAccess { .. } => {
            "Give the stream's size with --size (bytes, or sectors as 4480s)."
        }
        Unsuitable::CannotMerge { .. } => {
            "Burn it without multi-session (--multi) to replace the volume, or burn the folder itself."
        }
        Unsuitable::SaoNotOnCd { .. } => "Burn it without --sao.",
        Unsuitable::NothingToClose { .. } => "Burn something to it with `discburn write`.",
        Unsuitable::NoOpenSession { .. } => "`discburn fix` without --session finalizes it.",
        Unsuitable::NoTracksToChoose { .. } => {
            "`discburn read` without --track or --session copies it."
        }
        Unsuitable::CannotBlank {
            rewritable_in_place: true,
            ..
        } => "Reformat it with `discburn format`, or just write over it.",
        Unsuitable::CannotBlank { .. } => "Use a CD-RW or DVD-RW.",
        Unsuitable::ModeChangeNotAsked { .. } => {
            "Run `discburn format --overwrite` to make it restricted overwrite (--full for the full format), or write to it as it is with `discburn write`."
        }
        Unsuitable::NotDvdRw { .. } => "Leave out --overwrite and --full: `discburn format` alone formats this disc.",
        _ => return None,
    })
}

/// What the user can try when a drive address does not open, when the sentence itself
/// does not say it.
pub fn open_hint(o: &OpenFailure) -> Option<&'static str> {
    Some(match &o.problem {
        OpenProblem::NoSuchDevice => "List the drives with `discburn drives`",
        OpenProblem::NotADrive => {
            "Name an optical drive such as /dev/sr0 (`discburn drives` lists them)"
        }
        OpenProblem::PermissionDenied => {
            "Join the `cdrom` group (`sudo usermod -aG cdrom $USER`, then log in again) or run as root"
        }
        OpenProblem::UnknownHost { .. } => {
            "Check the host name in the address, or give the target's IP address"
        }
        OpenProblem::ConnectionRefused { .. } | OpenProblem::Unreachable { .. } => {
            "Check that the iSCSI target is running and the host and port in the address (default 3260)"
        }
        OpenProblem::LoginRefused { .. } => {
            "Check the target name (IQN) in the address against the target's configuration"
        }
        OpenProblem::AuthenticationFailed { .. }
        | OpenProblem::LoginFailed { .. }
        | OpenProblem::Io(_) => return None,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use discburn::mmc::profile::Profile;

    #[test]
    fn an_abandoned_burn_says_how_to_check_the_disc() {
        let e = BurnError::Abandoned {
            doing: "flushing its buffer to the disc",
            last_written_lba: Some(299),
        };
        let hint = burn_hint(&e).expect("a hint");
        assert!(hint.contains("discburn info"), "{hint}");
    }

    #[test]
    fn unsuitable_requests_name_the_flag_to_change() {
        let cases = [
            (
                Unsuitable::StreamLengthForRandomAccess {
                    label: "standard input".into(),
                    profile: Profile::BdRe,
                },
                "--size",
            ),
            (
                Unsuitable::StreamLengthForSao {
                    label: "standard input".into(),
                },
                "--sao",
            ),
            (
                Unsuitable::CannotMerge {
                    profile: Profile::DvdPlusRw,
                    volume_id: "V".into(),
                    label: "a.iso".into(),
                },
                "--multi",
            ),
            (
                Unsuitable::CannotBlank {
                    profile: Profile::BdRe,
                    rewritable_in_place: true,
                },
                "discburn format",
            ),
        ];
        for (u, flag) in cases {
            let text = u.to_string();
            assert!(!text.contains("--"), "the library names no flag: {text}");
            let hint = burn_hint(&BurnError::Unsuitable(u)).expect("a hint");
            assert!(hint.contains(flag), "{hint}");
        }
    }
}
