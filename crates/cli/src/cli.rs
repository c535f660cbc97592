//! The command line, as clap derives it. `discburn completions` and
//! `discburn man` generate shell completions and the man page from it.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

/// Exit codes, shown in `--help` (keep in sync with [`crate::exit`]).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  internal error (a bug; see the log)
  2  usage error (bad arguments)
  3  no recorder: the drive address cannot be opened, or none was found
  4  medium unsuitable: no disc, closed, not blank/appendable, too small,
     write-protected, or the operation is not possible on this medium
  5  the drive failed while writing, blanking, formatting or closing
  6  verification failed: sectors differ from the source or are unreadable
  7  the source (image file or folder) cannot be read
  8  cancelled (Ctrl-C, SIGTERM or SIGHUP)";

const ADDRESS_HELP: &str = "\
Drive address: /dev/sr0 or sg:/dev/sg1 (a drive on this machine),
iscsi://HOST:PORT/IQN/LUN (a remote drive), or
virtual:PATH?media=bd-r&speed=12x&buffer=4MiB (the virtual recorder over the
image file PATH, created blank with that medium when absent; media cd-r,
cd-rw, dvd-r, dvd+r, dvd+rw, dvd-ram, bd-r, bd-re, and the multi-layer dvd+r-dl,
dvd-r-dl, dvd+rw-dl, bd-r-dl, bd-r-tl, bd-r-ql, bd-re-dl, bd-re-tl).
Default: $DISCBURN_DRIVE, else the only recorder found.";

/// Burn CD, DVD and Blu-ray discs: images or folders, with verify.
#[derive(Debug, Parser)]
#[command(name = "discburn", version, about, long_about = None, after_help = EXIT_CODES,
          propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The drive to use (see `discburn drives` for addresses); `write` takes it more than
    /// once and burns the same source to every drive named, at once
    #[arg(long, short = 'd', global = true, env = "DISCBURN_DRIVE", value_name = "ADDRESS",
          action = ArgAction::Append, long_help = ADDRESS_HELP)]
    pub drive: Vec<String>,
    /// Print one JSON object per line (every engine event field) instead of
    /// progress bars and sentences
    #[arg(long, global = true)]
    pub json: bool,
    /// Write a detailed log (every command, raw sense bytes) to FILE. A folder (one that
    /// exists, or DIR/) keeps each run's log and every data burn's record in it:
    /// discburn-STAMP-PID.log and discburn-STAMP-PID.record.json (-N per drive)
    #[arg(long, global = true, value_name = "FILE|DIR/")]
    pub log: Option<PathBuf>,
    /// Log level for --log (error, warn, info, debug, trace; default debug). `serve`
    /// without --log logs to stderr, at info unless this is given
    #[arg(long, global = true, value_name = "LEVEL",
          value_parser = ["error", "warn", "info", "debug", "trace"])]
    pub log_level: Option<String>,
    /// Plain progress (a line per second) even on a terminal
    #[arg(long, global = true)]
    pub plain: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the recorders found, and how to address the virtual one
    Drives,
    /// Drive identity, profiles, the medium, its sessions and tracks, capacity, speeds
    Info,
    /// Write speeds the drive offers for the current medium
    Speeds,
    /// Burn an image file, or a folder as an ISO 9660 + Joliet + Rock Ridge image
    #[command(after_help = EXIT_CODES)]
    Write(WriteArgs),
    /// Read the disc back and compare it with an image file
    #[command(after_help = EXIT_CODES)]
    Verify(VerifyArgs),
    /// Erase a rewritable disc (CD-RW, DVD-RW; a restricted overwrite DVD-RW becomes
    /// sequential again)
    Blank(BlankArgs),
    /// Format a disc (DVD+RW, DVD-RAM, BD-RE; BD-R with spare areas; DVD-RW to
    /// restricted overwrite with --overwrite)
    Format(FormatArgs),
    /// Close an appendable disc without writing (cdrecord -fix): the open track an
    /// interrupted burn left, then the session, and finalize the disc
    #[command(visible_alias = "close", after_help = EXIT_CODES)]
    Fix(FixArgs),
    /// Copy what the disc holds to an image file (readcd)
    #[command(after_help = EXIT_CODES)]
    Read(ReadArgs),
    /// Open the tray
    Eject,
    /// Burn a sample image to a virtual BD-R with the progress display, then verify it
    Demo(DemoArgs),
    /// Export virtual recorders and this machine's drives as an iSCSI target that other
    /// burners write to
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Show a burn record (`write --record FILE.json`) as text, and with --svg or --png as
    /// a graph of speed and buffer fill against the position on the disc
    Report(ReportArgs),
    /// Run the burn jobs a folder's job files ask for (NAME.job.json: source, copies,
    /// drives, verify, label), keeping a burn record per disc next to them
    #[command(after_help = JOBS_HELP)]
    Jobs(JobsArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into DIR
    Man {
        /// Write discburn.1 and discburn-COMMAND.1 files here instead of stdout
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

const SERVE_HELP: &str = "\
Each DRIVE becomes one LUN of the target, LUN 0 first. Attach one with any iSCSI
initiator: QEMU (-drive file=iscsi://127.0.0.1:3260/IQN/0), open-iscsi, the
Microsoft iSCSI initiator, or `discburn --drive iscsi://127.0.0.1:3260/IQN/0 …`.
Ctrl-C stops the target and saves every virtual drive's state.

A real drive of this machine (sg:/dev/sr0, /dev/sr0) is served too: every CDB is
passed to it as sent, with the time its command can take (an hour for a format,
and for a blank, close or cache flush without Immed), and it is held exclusively
while served, so a controller burns on it with --drive iscsi://HOST/IQN/LUN.

Authentication: the target listens on 127.0.0.1 unless --listen says otherwise. On
any other address anyone who can reach the port could write to the drives, so it
refuses to start without CHAP (--chap-user, secret in $DISCBURN_CHAP_SECRET) unless
--no-auth is given. Secrets are read from the environment, never from the command
line (where other users could read them in the process list).";

const JOBS_HELP: &str = "\
A job file, DIR/NAME.job.json:
  {\"source\": \"backup.iso\", \"copies\": 8, \"verify\": true, \"label\": \"BACKUP_2026_12\",
   \"drives\": [\"/dev/sr0\", \"iscsi://tower:3260/iqn.2026-12.lab:tower/0\"], \"speed\": \"4x\"}
source (a file or folder; relative to DIR) is required; copies defaults to the
number of drives; drives defaults to --drive; verify to false; label (a
folder's volume name) and speed (default max) are optional.

Jobs run one at a time in file-name order, each as `write` to its drives at
once; with more copies than drives, the next discs are burned once every
drive holds a blank disc again. Beside each job: NAME.state.json (running,
done, failed, cancelled or interrupted; copies done) and a burn record per
disc, NAME.copy-K.record.json. A job the runner was stopped in (killed,
power cut) is reported as interrupted the next time, never burned again:
delete its NAME.state.json to queue it anew. One runner per folder.";

/// `discburn jobs` options.
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// The folder of job files (NAME.job.json)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Run the jobs queued now, then exit (exit code: the first failed job's)
    #[arg(long)]
    pub once: bool,
    /// Seconds between looks at the folder, and at the drives while waiting for blank discs
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0,
          value_parser = poll_seconds)]
    pub poll: f64,
}

fn poll_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.01..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of seconds from 0.01 to 3600"
        )),
    }
}

/// `discburn report` options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The burn record
    #[arg(value_name = "FILE.json")]
    pub record: PathBuf,
    /// Draw speed (x) and the drive's and host's buffer fill against the LBA to this SVG
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
    /// The same graph as a PNG picture (960×540)
    #[arg(long, value_name = "OUT.png")]
    pub png: Option<PathBuf>,
}

/// `discburn serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The drives to serve, LUN 0 first: virtual:PATH?media=…, sg:/dev/srN or /dev/srN
    #[arg(required = true, value_name = "DRIVE")]
    pub drives: Vec<String>,
    /// Address (and port, 3260 by default) to listen on
    #[arg(long, value_name = "ADDR[:PORT]", default_value = "127.0.0.1:3260",
          value_parser = listen_address)]
    pub listen: std::net::SocketAddr,
    /// The target's name (iSCSI qualified name)
    #[arg(long, value_name = "IQN", default_value = discburn::serve::DEFAULT_IQN)]
    pub iqn: String,
    /// Require CHAP: the user name initiators log in with (secret: $DISCBURN_CHAP_SECRET)
    #[arg(long, value_name = "USER")]
    pub chap_user: Option<String>,
    /// Mutual CHAP: the name the target answers with (secret: $DISCBURN_CHAP_MUTUAL_SECRET)
    #[arg(long, value_name = "USER", requires = "chap_user")]
    pub chap_mutual_user: Option<String>,
    /// Serve without authentication on an address other than loopback
    #[arg(long, conflicts_with = "chap_user")]
    pub no_auth: bool,
}

/// `--listen`: `HOST:PORT`, `[V6]:PORT`, or a bare address (port 3260).
fn listen_address(s: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Ok(ip) = s.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 3260));
    }
    let bad =
        || format!("`{s}`: expected an address such as 127.0.0.1:3260, [::1]:3260 or 0.0.0.0");
    let resolved = if s.contains(':') {
        s.to_socket_addrs()
    } else {
        (s, 3260).to_socket_addrs()
    };
    resolved.map_err(|_| bad())?.next().ok_or_else(bad)
}

/// Write speed: `max`, a multiple of the medium's 1x (`8x`, `2.4x`), or kB/s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpeedArg {
    Max,
    Times(f64),
    KBps(u32),
}

impl std::fmt::Display for SpeedArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpeedArg::Max => f.write_str("max"),
            SpeedArg::Times(x) => write!(f, "{x}x"),
            SpeedArg::KBps(k) => write!(f, "{k} kB/s"),
        }
    }
}

impl std::str::FromStr for SpeedArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        if t == "max" || t == "maximum" {
            return Ok(SpeedArg::Max);
        }
        if let Some(x) = t.strip_suffix('x') {
            return match x.parse::<f64>() {
                Ok(v) if v > 0.0 && v.is_finite() => Ok(SpeedArg::Times(v)),
                _ => Err(format!(
                    "`{s}`: expected a positive multiple such as 8x or 2.4x"
                )),
            };
        }
        let k = t
            .strip_suffix("kb/s")
            .or_else(|| t.strip_suffix('k'))
            .unwrap_or(&t);
        match k.trim().parse::<u32>() {
            Ok(v) if v > 0 => Ok(SpeedArg::KBps(v)),
            _ => Err(format!(
                "`{s}`: expected max, a multiple like 8x, or kB/s like 22160"
            )),
        }
    }
}

/// BD defect management: the spare area a BD-R/BD-RE is formatted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpareArg {
    /// No spare areas: full capacity and full speed, no defect management
    None,
    /// The smallest spare area the drive offers
    Min,
    /// The drive's default spare area (more protection, less capacity, about half speed)
    Default,
}

/// `--volume-id`: refused here, as a usage error, when the ISO 9660 primary
/// volume descriptor cannot hold it (ECMA-119 §8.4.6, 32 bytes).
fn volume_id(s: &str) -> Result<String, String> {
    discburn::iso::check_volume_id(s).map_err(|e| e.to_string())?;
    Ok(s.to_string())
}

/// A stream's length: `4480s` (2048-byte sectors), or bytes with an optional
/// binary suffix (`9175040`, `700M`, `4G`, `512K`): whole sectors, in sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeArg(pub u64);

impl std::str::FromStr for SizeArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let bad =
            || format!("`{s}`: expected sectors like 4480s, or bytes like 9175040, 700M, 4G, 512K");
        if let Some(n) = t.strip_suffix(['s', 'S']) {
            return match n.parse::<u64>() {
                Ok(v) if v > 0 => Ok(SizeArg(v)),
                _ => Err(bad()),
            };
        }
        let (digits, unit) = match t.char_indices().last() {
            Some((i, c)) if c.is_ascii_alphabetic() => (
                &t[..i],
                match c.to_ascii_lowercase() {
                    'k' => 1u64 << 10,
                    'm' => 1 << 20,
                    'g' => 1 << 30,
                    _ => return Err(bad()),
                },
            ),
            _ => (t, 1),
        };
        let bytes = digits
            .parse::<u64>()
            .ok()
            .and_then(|v| v.checked_mul(unit))
            .filter(|&b| b > 0)
            .ok_or_else(bad)?;
        if bytes % 2048 != 0 {
            return Err(format!(
                "`{s}` is {bytes} bytes, not a whole number of 2048-byte sectors"
            ));
        }
        Ok(SizeArg(bytes / 2048))
    }
}

#[derive(Debug, Args)]
pub struct WriteArgs {
    /// An image file (.iso, whole 2048-byte sectors), a cue sheet (.cue: its BINARY or
    /// audio files written disc at once to a CD-R/RW, with its CD-Text, CATALOG, ISRCs,
    /// FLAGS, gaps and indexes), a folder to burn, or `-` (standard input) or a pipe
    /// (/dev/stdin, <(…), a FIFO) to burn as a stream
    ///
    /// A stream is written to its end on a write-once disc (CD-R/RW
    /// Track-At-Once, DVD±R, DVD-RW, BD-R): the track closes where the data
    /// stops, a last partial sector padded with zeros. On a rewritable
    /// DVD+RW, DVD-RAM or BD-RE, and with --sao, its --size is needed.
    #[arg(value_name = "IMAGE|DIR|-")]
    pub source: PathBuf,
    /// With --audio: the audio tracks after the first, in order
    #[arg(value_name = "AUDIO", requires = "audio")]
    pub more: Vec<PathBuf>,
    /// Audio CD: the source and the files after it are tracks — WAV, FLAC, MP3, Ogg
    /// Vorbis or ALAC at 44.1 kHz, mono or stereo — written Track-At-Once to a CD-R/RW
    /// (the drive puts a 2-second gap before every track after the first; a track under
    /// 4 seconds is lengthened with silence). With --sao the disc is written at once,
    /// with --cd-text. With --multi the disc stays open
    #[arg(long, conflicts_with_all = ["size", "pad", "streaming", "dummy", "spare", "volume_id", "boot", "efi", "hybrid"])]
    pub audio: bool,
    /// With --audio --sao: write CD-Text — each track's title and performer from the
    /// file's tags (else its file name), the album's from --title and --performer
    /// (Latin-1 text)
    #[arg(long, requires = "sao")]
    pub cd_text: bool,
    /// With --audio --sao: the album title for CD-Text (implies --cd-text)
    #[arg(long, value_name = "TEXT", requires = "sao")]
    pub title: Option<String>,
    /// With --audio --sao: the album performer for CD-Text, and each track's when its
    /// file names none (implies --cd-text)
    #[arg(long, value_name = "TEXT", requires = "sao")]
    pub performer: Option<String>,
    /// With --audio --sao: seconds of silence before every track after the first
    /// (default 2; 0 is gapless)
    #[arg(
        long,
        value_name = "SECONDS",
        requires = "sao",
        conflicts_with = "gapless"
    )]
    pub gap: Option<u32>,
    /// With --audio --sao: no silence between tracks (--gap 0), for live albums and mixes
    #[arg(long, requires = "sao")]
    pub gapless: bool,
    /// A stream's length, as growisofs/cdrecord take it: sectors (4480s) or
    /// bytes (9175040, 700M, 4G; K/M/G are KiB/MiB/GiB), whole 2048-byte
    /// sectors. A stream that ends before it fails (exit 7); what arrived
    /// stays written
    #[arg(long, value_name = "SIZE")]
    pub size: Option<SizeArg>,
    /// Append 15 zero sectors (30 KiB) to the track, as cdrecord -pad does, so an
    /// old drive's read-ahead at the end of the track does not hit an error
    #[arg(long)]
    pub pad: bool,
    /// Write speed: max, 8x, 2.4x, or kB/s (the drive may round it; the chosen
    /// and measured speeds are reported)
    #[arg(long, short = 's', default_value = "max", value_name = "SPEED")]
    pub speed: SpeedArg,
    /// WRITE(12) with the Streaming bit: no defect management during the write
    /// (BD-RE, formatted BD-R, DVD-RAM: full speed)
    #[arg(long)]
    pub streaming: bool,
    /// Read the disc back after burning and compare it with what was sent; a folder burn
    /// is then also compared file by file through the disc's ISO 9660 and UDF trees
    #[arg(long)]
    pub verify: bool,
    /// Multi-session (growisofs -M): leave the disc appendable, and add a
    /// folder to what the disc holds
    ///
    /// On a write-once disc (CD-R, DVD±R, BD-R) the session is closed, not the
    /// disc, so another can follow. A folder burnt onto an appendable disc
    /// always becomes a new session whose tree carries the earlier sessions'
    /// files forward (same-named files replaced), with or without --multi.
    ///
    /// On a rewritable DVD+RW, DVD-RAM or BD-RE holding an ISO 9660 volume,
    /// --multi merges a folder into it as growisofs -M does: the new files
    /// and tree go after the volume, and only once they are on the disc are
    /// the volume descriptors at sector 16 rewritten (an interrupted burn
    /// leaves the old volume readable). Without --multi the rewritable disc
    /// gets a new volume from sector 0 that replaces the old one (growisofs
    /// -Z). An image file cannot be merged: --multi with an image onto a
    /// rewritable disc holding a volume is refused.
    #[arg(long, visible_alias = "append", conflicts_with = "close")]
    pub multi: bool,
    /// Finalize (close) the disc: no more sessions (the default unless --multi)
    #[arg(long)]
    pub close: bool,
    /// Test Write: simulate the burn with the laser off (CD-R/RW, DVD-R/RW only)
    #[arg(long)]
    pub dummy: bool,
    /// BD defect management for a blank BD-R/BD-RE: none, min or default spare
    /// (the resulting capacity is shown before burning). Default: none on BD-R,
    /// default on an unformatted BD-RE
    #[arg(long, value_enum, value_name = "SPARE")]
    pub spare: Option<SpareArg>,
    /// How a folder is mastered
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Check everything and stop before the first WRITE
    #[arg(long)]
    pub dry_run: bool,
    /// Open the tray after a successful burn (and verify); not after a failure
    #[arg(long)]
    pub eject: bool,
    /// Burn to every recorder on this machine that holds a blank disc, at once (the
    /// source read once for all; one progress line per drive and the total)
    #[arg(long)]
    pub drives_all: bool,
    /// Save a burn record of the disc to FILE (JSON: the SHA-256 of what was written,
    /// drive and medium, speeds, the speed and buffer trace, phases, verify, result);
    /// with several drives, FILE-1.json, FILE-2.json … in their order
    #[arg(long, value_name = "FILE.json")]
    pub record: Option<PathBuf>,
    /// CD-R/RW: write Session-At-Once (a cue sheet, pre-gap and lead-out written by the
    /// drive in one pass) instead of Track-At-Once; an image under 300 sectors (the
    /// 4-second minimum track) is padded with zeros to 300, as cdrecord does
    #[arg(long)]
    pub sao: bool,
}

/// A partition table for `--hybrid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HybridArg {
    /// An MBR with the image as its bootable partition (BIOS boot from USB; isohybrid)
    Mbr,
    /// A GPT with the --efi image as EFI system partition (UEFI boot from USB)
    Gpt,
    /// A GPT whose MBR also lists the image, bootable (BIOS and UEFI from USB)
    #[value(name = "gpt+mbr")]
    GptMbr,
}

/// The file systems of `--fs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FsArg {
    /// ISO 9660 with Joliet and Rock Ridge; files of 4 GiB or more in several extents
    Iso,
    /// UDF alone
    Udf,
    /// The ISO 9660 + UDF bridge: both trees over the same file data
    #[value(name = "iso+udf")]
    IsoUdf,
}

/// The UDF revisions of `--udf-revision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UdfRevisionArg {
    /// UDF 1.02 (DVD-Video players, every reader)
    #[value(name = "1.02")]
    V102,
    /// UDF 2.01
    #[value(name = "2.01")]
    V201,
    /// UDF 2.50: a metadata partition with its mirror (BD data discs)
    #[value(name = "2.50")]
    V250,
    /// UDF 2.60: 2.50's layout, labelled 2.60
    #[value(name = "2.60")]
    V260,
}

/// The options of a folder burn's file system.
#[derive(Debug, Args)]
#[command(next_help_heading = "Folder burns")]
pub struct FolderArgs {
    /// The file systems of a folder burn. Default: iso+udf on a BD (unless --multi) or
    /// when a file is 4 GiB or larger (readers without multi-extent ISO 9660 read the UDF
    /// tree), else iso; a bootable folder is iso. A later session is ISO 9660, and growing
    /// a rewritable disc's bridged volume switches its stale UDF tree off
    #[arg(long, value_enum, value_name = "FS")]
    pub fs: Option<FsArg>,
    /// The UDF revision (default: 2.50 on a BD, 1.02 on a DVD, else 2.01)
    #[arg(long, value_enum, value_name = "REV")]
    pub udf_revision: Option<UdfRevisionArg>,
    /// Volume name of a folder burn, at most 32 characters (default: the
    /// folder's name)
    #[arg(long, value_name = "NAME", value_parser = volume_id)]
    pub volume_id: Option<String>,
    /// Make the disc boot on a PC (El Torito, BIOS): PATH is a no-emulation boot image
    /// inside the folder, e.g. isolinux/isolinux.bin, which gets a boot information
    /// table (mkisofs -b PATH -no-emul-boot -boot-load-size 4 -boot-info-table)
    #[arg(long, value_name = "PATH")]
    pub boot: Option<String>,
    /// Make the disc boot with UEFI: PATH is a FAT image inside the folder holding
    /// EFI/BOOT/BOOTX64.EFI (mkisofs -e PATH -no-emul-boot)
    #[arg(long, value_name = "PATH")]
    pub efi: Option<String>,
    /// Where the El Torito boot catalog shows in the folder's tree (default: boot.cat
    /// beside the --boot image)
    #[arg(long, value_name = "PATH")]
    pub boot_catalog: Option<String>,
    /// 512-byte sectors the BIOS loads of the --boot image (default 4, what ISOLINUX
    /// and GRUB ask for)
    #[arg(long, value_name = "N", requires = "boot")]
    pub boot_load_size: Option<u16>,
    /// Also put a partition table in the image's first sectors, so it boots when
    /// copied to a USB stick (xorriso -isohybrid-mbr / -isohybrid-gpt-basdat)
    #[arg(long, value_enum, value_name = "TABLE")]
    pub hybrid: Option<HybridArg>,
    /// MBR boot code for --hybrid mbr or gpt+mbr, e.g. syslinux's isohdpfx.bin (at most
    /// 446 bytes)
    #[arg(long, value_name = "FILE", requires = "hybrid")]
    pub mbr_code: Option<PathBuf>,
}

impl FolderArgs {
    /// Whether any option is given (they apply to a folder only).
    pub fn any(&self) -> Option<&'static str> {
        [
            (self.volume_id.is_some(), "--volume-id"),
            (self.fs.is_some(), "--fs"),
            (self.udf_revision.is_some(), "--udf-revision"),
            (self.boot.is_some(), "--boot"),
            (self.efi.is_some(), "--efi"),
            (self.boot_catalog.is_some(), "--boot-catalog"),
            (self.boot_load_size.is_some(), "--boot-load-size"),
            (self.hybrid.is_some(), "--hybrid"),
            (self.mbr_code.is_some(), "--mbr-code"),
        ]
        .into_iter()
        .find_map(|(on, flag)| on.then_some(flag))
    }
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The image file the disc should hold (compared sector by sector), or a folder
    /// (every file compared with the disc's, read back through its ISO 9660 trees)
    #[arg(value_name = "IMAGE|DIR")]
    pub image: PathBuf,
    /// LBA where the image (or the folder's session) starts on the disc (default: the
    /// start of the last session's first track, 0 on a rewritable disc)
    #[arg(long, value_name = "LBA")]
    pub lba: Option<u32>,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Close only the open session and leave the disc appendable (another
    /// session can follow), instead of finalizing it
    #[arg(long)]
    pub session: bool,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The image file to write (refused when it exists, unless --force)
    ///
    /// Written as OUT.part and renamed to OUT once every sector was read: a
    /// sector the drive cannot read fails the command (exit 6) with its LBA,
    /// and leaves no image.
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// Read this track (see `discburn info` for the numbers)
    #[arg(long, value_name = "N", conflicts_with = "session",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub track: Option<u16>,
    /// Read this session, first track to last
    ///
    /// Default: the last session on a CD-R/RW, DVD±R/RW or BD-R (what a
    /// system mounts, and what `discburn verify` compares); on a rewritable
    /// DVD+RW, DVD-RAM or BD-RE the ISO 9660 volume from sector 0 (its size
    /// read from the volume descriptor at sector 16), else every sector the
    /// drive reports (READ CAPACITY)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub session: Option<u16>,
    /// Replace OUT if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct BlankArgs {
    /// Erase only the table of contents (BLANK minimal: about a minute; the default)
    #[arg(long, conflicts_with = "full")]
    pub fast: bool,
    /// Erase the whole disc, every sector (BLANK full: slow, half an hour on a DVD-RW)
    #[arg(long)]
    pub full: bool,
}

#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Spare area (BD-R, BD-RE): none, min or default
    #[arg(long, value_enum, default_value = "default", value_name = "SPARE")]
    pub spare: SpareArg,
    /// DVD-RW: make it restricted overwrite (written in place, grown as a DVD+RW),
    /// erasing it; `discburn blank` makes it sequential again
    #[arg(long)]
    pub overwrite: bool,
    /// DVD-RW: the full format (the whole disc, about half an hour) instead of the
    /// quick one
    #[arg(long, requires = "overwrite")]
    pub full: bool,
}

/// Largest `demo --size`: what a single-layer BD-R holds, with room for the file system.
/// (0 made the sample files' lengths underflow; a huge value wrapped `MiB << 20`.)
pub const MAX_DEMO_MIB: u64 = 20_000;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Size of the sample image in MiB (1 to 20000: it must fit a single-layer BD-R)
    #[arg(long, default_value_t = 256, value_name = "MIB",
          value_parser = clap::value_parser!(u64).range(1..=MAX_DEMO_MIB))]
    pub size: u64,
    /// Simulated drive speed (BD multiples; 4x and below are constant, 6x and up CAV)
    #[arg(long, default_value = "4x", value_name = "SPEED")]
    pub speed: String,
    /// Keep the virtual disc here instead of a temporary folder
    #[arg(long, value_name = "PATH")]
    pub disc: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn speeds_parse() {
        assert_eq!("max".parse::<SpeedArg>(), Ok(SpeedArg::Max));
        assert_eq!("8x".parse::<SpeedArg>(), Ok(SpeedArg::Times(8.0)));
        assert_eq!("2.4X".parse::<SpeedArg>(), Ok(SpeedArg::Times(2.4)));
        assert_eq!("22160".parse::<SpeedArg>(), Ok(SpeedArg::KBps(22160)));
        assert_eq!("1385k".parse::<SpeedArg>(), Ok(SpeedArg::KBps(1385)));
        assert!("0x".parse::<SpeedArg>().is_err());
        assert!("fast".parse::<SpeedArg>().is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_speed_text_parses_or_fails_cleanly(s in ".{0,24}") {
            match s.parse::<SpeedArg>() {
                Ok(SpeedArg::Times(x)) => proptest::prop_assert!(x.is_finite() && x > 0.0),
                Ok(SpeedArg::KBps(k)) => proptest::prop_assert!(k > 0),
                Ok(SpeedArg::Max) => {}
                Err(e) => {
                    let quoted = format!("`{s}`");
                    proptest::prop_assert!(e.contains(&quoted), "{}", e);
                }
            }
        }

        #[test]
        fn speeds_of_any_magnitude(n in proptest::prelude::any::<u64>(), x in proptest::prelude::any::<f64>()) {
            let k = format!("{n}").parse::<SpeedArg>();
            proptest::prop_assert_eq!(k.is_ok(), n > 0 && n <= u64::from(u32::MAX));
            let t = format!("{x}x").parse::<SpeedArg>();
            proptest::prop_assert_eq!(t.is_ok(), x.is_finite() && x > 0.0);
        }

        #[test]
        fn demo_size_is_bounded(n in proptest::prelude::any::<u64>()) {
            let r = Cli::try_parse_from(["discburn", "demo", "--size", &n.to_string()]);
            proptest::prop_assert_eq!(r.is_ok(), (1..=MAX_DEMO_MIB).contains(&n));
        }
    }

    #[test]
    fn demo_size_zero_and_huge_are_usage_errors() {
        for bad in ["0", "18446744073709551615", "17592186044416"] {
            assert!(Cli::try_parse_from(["discburn", "demo", "--size", bad]).is_err());
        }
        assert!(Cli::try_parse_from(["discburn", "demo", "--size", "1"]).is_ok());
    }

    #[test]
    fn log_level_must_be_a_level() {
        for ok in ["error", "warn", "info", "debug", "trace"] {
            assert!(Cli::try_parse_from(["discburn", "--log-level", ok, "drives"]).is_ok());
        }
        let e = Cli::try_parse_from(["discburn", "--log-level", "nonsense", "drives"]).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("nonsense") && text.contains("trace"),
            "{text}"
        );
    }

    #[test]
    fn sizes_parse() {
        assert_eq!("4480s".parse::<SizeArg>(), Ok(SizeArg(4480)));
        assert_eq!("9175040".parse::<SizeArg>(), Ok(SizeArg(4480)));
        assert_eq!("700M".parse::<SizeArg>(), Ok(SizeArg(358_400)));
        assert_eq!("4g".parse::<SizeArg>(), Ok(SizeArg(2_097_152)));
        assert_eq!("512K".parse::<SizeArg>(), Ok(SizeArg(256)));
        for bad in ["0", "0s", "1000", "12x", "", "M", "18446744073709551615G"] {
            assert!(bad.parse::<SizeArg>().is_err(), "{bad}");
        }
    }

    #[test]
    fn multi_and_close_conflict() {
        let r = Cli::try_parse_from(["discburn", "write", "a.iso", "--multi", "--close"]);
        assert!(r.is_err());
    }
}
