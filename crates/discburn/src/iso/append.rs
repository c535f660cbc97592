//! Later sessions and volume growth: the last session's descriptors and tree read from the
//! disc, the folder merged in, the new session laid out at the next writable address
//! ([`FolderImage::append_to`], [`FolderImage::grow`]).

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::{Arc, Mutex};

use hadris_fs::{FileType, Tree};
use hadris_iso::sync::Session;
use hadris_iso::{IsoId, SessionMode};
use hadris_storage::sync::BlockDevice;
use hadris_storage::{BlockIndex, BlockSize};

use super::{
    block_size, io_error, lock, Body, Carried, FileSystems, FolderImage, IsoError, LaterSession,
    Output, Phase, SectorRead, Target, CACHE_BYTES, DESCRIPTOR_START, GROW_ALIGN, MAX_DESCRIPTORS,
    SECTOR,
};
use super::{descriptor, VolumeDescriptor};

/// The facts of a session's volume descriptor set the append needs.
pub(super) struct DescriptorSet {
    /// Descriptors including the terminator.
    pub(super) count: u32,
    /// The primary descriptor's volume space size.
    pub(super) volume_blocks: u32,
    /// The primary root directory's extent.
    pub(super) root_lba: u32,
    /// The primary descriptor's volume identifier, trimmed.
    pub(super) volume_id: String,
}

/// Reads the descriptor set of the session starting at `start` (ECMA-119
/// §8: 2048-byte descriptors from block 16 to the set terminator).
pub(super) fn read_descriptor_set(
    disc: &mut dyn SectorRead,
    start: u32,
) -> Result<DescriptorSet, String> {
    let mut sector = vec![0u8; SECTOR as usize];
    let mut primary = None;
    for i in 0..MAX_DESCRIPTORS {
        let lba = start
            .checked_add(DESCRIPTOR_START as u32 + i)
            .ok_or("the session starts past the last addressable sector")?;
        disc.read_sectors(lba, &mut sector)
            .map_err(|e| format!("reading its volume descriptor at sector {lba}: {e}"))?;
        let d = VolumeDescriptor::new(&sector[..]);
        if !d.is_descriptor() {
            return Err(if i == 0 {
                format!("sector {lba} holds no ISO 9660 volume descriptor: the session has no ISO 9660 file system (UDF only, or raw data)")
            } else {
                format!("its volume descriptor set is not terminated (sector {lba})")
            });
        }
        match d.kind() {
            Some(descriptor::PRIMARY) if primary.is_none() => {
                primary = Some((
                    d.volume_space_size().unwrap_or(0),
                    d.root_extent().unwrap_or(0),
                    d.volume_id().unwrap_or_default(),
                ));
            }
            Some(descriptor::TERMINATOR) => {
                let (volume_blocks, root_lba, volume_id) =
                    primary.ok_or("its volume descriptor set has no primary descriptor")?;
                return Ok(DescriptorSet {
                    count: i + 1,
                    volume_blocks,
                    root_lba,
                    volume_id,
                });
            }
            _ => {}
        }
    }
    Err(format!(
        "its volume descriptor set has no terminator in {MAX_DESCRIPTORS} sectors"
    ))
}

/// The volume space size of a primary volume descriptor, when `data` starts
/// with one.
pub(super) fn primary_volume_blocks(data: &[u8]) -> Option<u32> {
    let d = VolumeDescriptor::new(data);
    d.is_primary().then(|| d.volume_space_size()).flatten()
}

/// Merges the folder's tree into the previous session's: the folder's
/// directories join the old ones (taking their new attributes), its files
/// replace the old entries of the same path. Returns the entries of the
/// earlier sessions still in the tree and how many were replaced.
pub(super) fn merge(into: &mut Tree, folder: &Tree) -> Result<(usize, usize), String> {
    let err = |e: hadris_fs::PathError| format!("merging the folder into its tree: {e}");
    let mut replaced = 0;
    let mut added: HashSet<Vec<u8>> = HashSet::new();
    let mut links: HashMap<usize, Vec<u8>> = HashMap::new();
    let mut pending = vec![(Vec::new(), folder.root())];
    while let Some((prefix, dir)) = pending.pop() {
        for (name, child) in dir.children() {
            let mut path = prefix.clone();
            path.push(b'/');
            path.extend_from_slice(name.as_bytes());
            let node = child.node();
            let old = into.get(&path).map(|n| n.file_type());
            if node.file_type() == FileType::Dir {
                match old {
                    // A directory keeps its children and takes the new attributes.
                    Some(FileType::Dir) => into.replace(&path, node.clone()).map_err(err)?,
                    Some(_) => {
                        into.remove(&path).map_err(err)?;
                        replaced += 1;
                        into.insert(&path, node.clone()).map_err(err)?;
                    }
                    None => into.insert(&path, node.clone()).map_err(err)?,
                }
                pending.push((path, child));
                continue;
            }
            if old.is_some() {
                // What the old entry was (a file, or a whole directory) goes.
                into.remove(&path).map_err(err)?;
                replaced += 1;
            }
            added.insert(path.clone());
            if child.links() > 1 {
                if let Some(first) = links.get(&child.id()) {
                    into.link(first, &path).map_err(err)?;
                    continue;
                }
                links.insert(child.id(), path.clone());
            }
            into.insert(&path, node.clone()).map_err(err)?;
        }
    }
    let mut kept = 0;
    let mut pending = vec![(Vec::new(), into.root())];
    while let Some((prefix, dir)) = pending.pop() {
        for (name, child) in dir.children() {
            let mut path = prefix.clone();
            path.push(b'/');
            path.extend_from_slice(name.as_bytes());
            if child.node().file_type() == FileType::Dir {
                pending.push((path, child));
            } else if !added.contains(&path) {
                kept += 1;
            }
        }
    }
    Ok((kept, replaced))
}

/// The disc as hadris-iso's session sees it: absolute LBAs, except that
/// blocks 16 .. 16 + the descriptor count are the last session's descriptor
/// set, with the volume size set to the next writable address so the new
/// session is laid out from there. Every block read is kept (up to
/// [`CACHE_BYTES`]) so the streaming pass does not read the drive.
pub(super) struct DiscDevice {
    pub(super) disc: Box<dyn SectorRead>,
    pub(super) session_start: u64,
    pub(super) window: u64,
    pub(super) nwa: u64,
    pub(super) cache: HashMap<u64, Box<[u8]>>,
    pub(super) cached: usize,
    pub(super) output: Arc<Mutex<Output>>,
}

impl DiscDevice {
    pub(super) fn in_window(&self, block: u64) -> bool {
        (DESCRIPTOR_START..DESCRIPTOR_START + self.window).contains(&block)
    }

    /// Reads `buf` from the disc at `lba`, noting a failure in words.
    pub(super) fn read_disc(
        &mut self,
        lba: u64,
        buf: &mut [u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        let Ok(lba32) = u32::try_from(lba) else {
            return Err(io_error(
                hadris_io::ErrorKind::InvalidInput,
                "read past the last addressable sector",
            ));
        };
        self.disc.read_sectors(lba32, buf).map_err(|e| {
            lock(&self.output).read_error = Some(format!("reading sector {lba}: {e}"));
            hadris_io::Error::device(e, "cannot read the disc")
                .with_location(hadris_io::Location::Block(lba))
        })
    }

    /// One block of the device view, from the cache or the disc.
    pub(super) fn block(
        &mut self,
        block: u64,
        buf: &mut [u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        if let Some(data) = self.cache.get(&block) {
            buf.copy_from_slice(data);
            return Ok(());
        }
        if self.in_window(block) {
            self.read_disc(self.session_start + block, buf)?;
            let mut d = VolumeDescriptor::new(&mut *buf);
            if matches!(
                d.kind(),
                Some(descriptor::PRIMARY | descriptor::SUPPLEMENTARY)
            ) {
                // The volume ends where the new session starts.
                d.set_volume_space_size(u32::try_from(self.nwa).unwrap_or(u32::MAX));
            }
        } else {
            self.read_disc(block, buf)?;
        }
        self.remember(block, buf);
        Ok(())
    }

    pub(super) fn remember(&mut self, block: u64, data: &[u8]) {
        if self.cached + data.len() <= CACHE_BYTES && !self.cache.contains_key(&block) {
            self.cached += data.len();
            self.cache.insert(block, data.into());
        }
    }
}

impl hadris_io::ErrorType for DiscDevice {
    type Error = io::Error;
}

impl BlockDevice for DiscDevice {
    fn block_size(&self) -> BlockSize {
        block_size()
    }

    fn block_count(&self) -> u64 {
        // Every addressable LBA: the new session's size is checked against the
        // disc's free space by the burn plan.
        u64::from(u32::MAX)
    }

    fn writable(&self) -> bool {
        true
    }

    fn read_blocks(
        &mut self,
        first: BlockIndex,
        buf: &mut [u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        let first = first.get();
        let n = buf.len() as u64 / SECTOR;
        let plain = !(first..first + n).any(|b| self.in_window(b) || self.cache.contains_key(&b));
        if plain && n > 1 {
            // One transfer for a run the cache and the window do not touch.
            self.read_disc(first, buf)?;
            for (i, chunk) in buf.chunks(SECTOR as usize).enumerate() {
                self.remember(first + i as u64, chunk);
            }
            return Ok(());
        }
        for (i, chunk) in buf.chunks_mut(SECTOR as usize).enumerate() {
            self.block(first + i as u64, chunk)?;
        }
        Ok(())
    }

    fn write_blocks(
        &mut self,
        first: BlockIndex,
        buf: &[u8],
    ) -> Result<(), hadris_io::Error<io::Error>> {
        let block = first.get();
        let nwa = self.nwa;
        let mut out = lock(&self.output);
        match &mut out.phase {
            Phase::Probe(writes) => {
                if block < nwa {
                    // The descriptor copy at 16: kept whole.
                    writes.push((block, buf.to_vec()));
                    return Ok(());
                }
                writes.push((block, buf[..buf.len().min(SECTOR as usize)].to_vec()));
                // The size is known: stop before any file is read.
                Err(io_error(
                    hadris_io::ErrorKind::Unsupported,
                    "sizing pass complete",
                ))
            }
            Phase::Stream {
                sink,
                started,
                copy,
            } => {
                if block < nwa {
                    if !*started && block == DESCRIPTOR_START + copy.len() as u64 / SECTOR {
                        // The descriptor copy for overwritable media: kept aside (a
                        // write-once disc keeps the new set in the session only; a
                        // rewritable one gets it at 16 after the session).
                        copy.extend_from_slice(buf);
                        return Ok(());
                    }
                    return Err(io_error(
                        hadris_io::ErrorKind::Unsupported,
                        "the session writer wrote before the next writable address",
                    )
                    .with_location(hadris_io::Location::Block(block)));
                }
                if !*started && block != nwa + DESCRIPTOR_START {
                    return Err(io_error(
                        hadris_io::ErrorKind::Unsupported,
                        "the session's descriptors are not at its start + 16",
                    )
                    .with_location(hadris_io::Location::Block(block)));
                }
                *started = true;
                sink.put(block, buf)
            }
            Phase::Idle => Err(io_error(
                hadris_io::ErrorKind::ReadOnly,
                "the disc is not being written",
            )),
        }
    }
}

impl FolderImage {
    /// Re-masters the folder as a later session of a disc (see the module
    /// docs): addressed from `next_writable` (the NWA of the track it will be
    /// written to), with the tree of the session starting at
    /// `previous_start`, read through `disc`, merged with the folder's. The
    /// size is fixed on return; the disc is read again only from memory.
    ///
    /// Fails when the last session holds no ISO 9660 volume (a UDF-only or
    /// raw data session), when its volume is addressed for sector 0 rather
    /// than for its place on the disc (an image mastered for a blank disc
    /// burnt as a later session), or when the disc cannot be read.
    pub fn append_to(
        self,
        disc: Box<dyn SectorRead>,
        previous_start: u32,
        next_writable: u32,
    ) -> Result<FolderImage, IsoError> {
        self.later(disc, previous_start, next_writable, Target::WriteOnce)
    }

    /// Re-masters the folder as a session that grows the ISO 9660 volume at
    /// sector 0 of a rewritable medium (DVD+RW, DVD-RAM, BD-RE), as
    /// `growisofs -M` does (see the module docs): addressed from the old
    /// volume's end rounded up to [`GROW_ALIGN`] sectors, its tree the old
    /// one merged with the folder's. The stream is the session alone; the
    /// new descriptor set for block 16 is
    /// [`descriptor_rewrite`](Self::descriptor_rewrite), to be written only
    /// once the session is safely on the disc.
    ///
    /// Fails when sector 16 holds no ISO 9660 volume, or as
    /// [`append_to`](Self::append_to) does.
    pub fn grow(self, disc: Box<dyn SectorRead>) -> Result<FolderImage, IsoError> {
        let mut disc = disc;
        let set = read_descriptor_set(disc.as_mut(), 0)
            .map_err(|message| IsoError::PreviousSession { start: 0, message })?;
        let start = set
            .volume_blocks
            .max(2 * DESCRIPTOR_START as u32)
            .checked_next_multiple_of(GROW_ALIGN)
            .ok_or_else(|| IsoError::PreviousSession {
                start: 0,
                message: format!("its volume claims {} sectors", set.volume_blocks),
            })?;
        let vrs_end = old_vrs_end(disc.as_mut(), DESCRIPTOR_START as u32 + set.count);
        let mut img = self.later(disc, 0, start, Target::Rewritable)?;
        if let (Some(end), Some(rewrite)) = (vrs_end, img.rewrite.as_mut()) {
            // The volume held a UDF bridge, whose tree no longer describes the grown
            // volume: the rewrite also clears its Volume Recognition Sequence, so UDF
            // readers (Linux, Windows, players) stop at it and read the ISO 9660 trees.
            let need = (u64::from(end) - DESCRIPTOR_START) * SECTOR;
            if (rewrite.len() as u64) < need {
                rewrite.resize(need as usize, 0);
            }
            img.udf_cleared = true;
        }
        Ok(img)
    }

    pub(super) fn later(
        self,
        disc: Box<dyn SectorRead>,
        previous_start: u32,
        next_writable: u32,
        target: Target,
    ) -> Result<FolderImage, IsoError> {
        let fail = |message: String| IsoError::PreviousSession {
            start: previous_start,
            message,
        };
        if self.settings.boot.is_some() {
            return Err(fail(
                "a boot image goes in a disc's first session: burn the bootable folder to a blank disc".into(),
            ));
        }
        let fresh = match self.body {
            Body::Fresh(fresh) => fresh,
            // Chosen for a big file, not asked for: the session is ISO 9660 (multi-extent).
            Body::Bridge(bridge) if self.settings.fs.is_none() => Box::new(bridge.1),
            Body::Bridge(_) | Body::Udf(_) => {
                return Err(fail(format!(
                    "a later session is ISO 9660 alone, and the folder is mastered as {} (burn it with --fs iso, or to a blank disc)",
                    self.fs
                )))
            }
            Body::Later(_) => {
                return Err(fail(
                    "the folder is already mastered as a later session".into(),
                ))
            }
        };
        let nwa = u64::from(next_writable);
        if next_writable <= previous_start || nwa < 2 * DESCRIPTOR_START {
            return Err(fail(format!(
                "the next writable address {next_writable} does not follow that session"
            )));
        }
        let mut disc = disc;
        let set = read_descriptor_set(disc.as_mut(), previous_start).map_err(&fail)?;
        if previous_start > 0
            && (set.root_lba < previous_start || set.volume_blocks <= previous_start)
        {
            return Err(fail(format!(
                "its ISO 9660 volume is addressed for sector 0, not for its place on the disc (root directory at sector {}, volume of {} sectors): it was burnt as an image mastered for a blank disc, so its files cannot be carried forward",
                set.root_lba, set.volume_blocks
            )));
        }
        if u64::from(set.volume_blocks) > nwa {
            return Err(fail(format!(
                "its volume claims {} sectors but the disc's next writable address is {next_writable}",
                set.volume_blocks
            )));
        }
        let output = Arc::new(Mutex::new(Output::default()));
        let dev = DiscDevice {
            disc,
            session_start: u64::from(previous_start),
            window: u64::from(set.count),
            nwa,
            cache: HashMap::new(),
            cached: 0,
            output: Arc::clone(&output),
        };
        let mut session = Session::open(dev).map_err(|e| {
            let why = lock(&output).read_error.take();
            fail(match why {
                Some(why) => format!("reading its directory tree: {e} ({why})"),
                None => format!("reading its directory tree: {e}"),
            })
        })?;
        let (kept, replaced) = merge(session.tree_mut(), &fresh.tree).map_err(&fail)?;

        let mut options = session
            .options()
            .with_id(IsoId::Application, "DISCBURN")
            .with_time(self.time);
        let volume_id = match &self.settings.volume_id {
            Some(id) => id.clone(),
            None if !set.volume_id.is_empty() => set.volume_id.clone(),
            None => self.volume_id.clone(),
        };
        options = options.with_id(IsoId::Volume, &volume_id);
        if self.settings.joliet && !options.joliet() {
            options = options.with_joliet();
        }
        if self.settings.rock_ridge && !options.rock_ridge() {
            options = options.with_rock_ridge();
        }

        // Sizing pass: lay the session out and stop at its first descriptor.
        lock(&output).phase = Phase::Probe(Vec::new());
        let probe = session.write(&options, SessionMode::Append);
        let writes = match std::mem::take(&mut lock(&output).phase) {
            Phase::Probe(w) => w,
            _ => Vec::new(),
        };
        match writes.first() {
            Some((block, _)) if *block == DESCRIPTOR_START => {}
            Some(_) => {
                return Err(fail(
                    "a file of the earlier sessions lies where hadris-iso puts its descriptor copy (sector 16 on), and it would be moved: the session could not be streamed in order".into(),
                ))
            }
            None => {
                let why = lock(&output).read_error.take();
                return Err(fail(match (probe, why) {
                    (Err(e), Some(why)) => format!("laying the new session out: {e} ({why})"),
                    (Err(e), None) => format!("laying the new session out: {e}"),
                    (Ok(_), _) => "the new session wrote no volume descriptor".into(),
                }));
            }
        }
        // The writes before the next writable address are the descriptor copy
        // at block 16, in order; the first one after it starts the session.
        let mut copy = Vec::new();
        let mut session_first = None;
        for (block, data) in &writes {
            if *block >= nwa {
                session_first = Some((block, data));
                break;
            }
            if *block != DESCRIPTOR_START + copy.len() as u64 / SECTOR {
                return Err(fail(format!(
                    "the new session wrote sector {block} before its start at {next_writable}, outside its descriptor copy"
                )));
            }
            copy.extend_from_slice(data);
        }
        let Some((first, pvd)) = session_first else {
            return Err(fail("the new session wrote no volume descriptor".into()));
        };
        if *first != nwa + DESCRIPTOR_START {
            return Err(fail(format!(
                "the new session's descriptors would go to sector {first}, not to {} (the next writable address + 16): the earlier volume has partitions beyond its end",
                nwa + DESCRIPTOR_START
            )));
        }
        let end = match primary_volume_blocks(pvd) {
            Some(blocks) if u64::from(blocks) > nwa + DESCRIPTOR_START => u64::from(blocks),
            _ => {
                return Err(fail(
                    "the new session's primary volume descriptor is malformed".into(),
                ))
            }
        };
        let carried = Carried {
            previous_start,
            previous_volume_id: set.volume_id,
            kept,
            replaced,
        };
        tracing::info!(
            "later session at {next_writable}: {} sectors, {kept} earlier file(s) kept, {replaced} replaced",
            end - nwa
        );
        Ok(FolderImage {
            dir: self.dir,
            settings: self.settings,
            time: self.time,
            size: (end - nwa) * SECTOR,
            renamed: self.renamed,
            // A later session is laid out with the earlier one's options
            // (relocation into `rr_moved`, not marked).
            relocated: false,
            fs: FileSystems::Iso,
            udf_revision: None,
            udf_cleared: false,
            volume_id,
            start_lba: next_writable,
            carried: Some(carried),
            rewrite: (target == Target::Rewritable).then(|| copy.clone()),
            body: Body::Later(Box::new(LaterSession {
                session,
                options,
                output,
                end,
                rewrite: (target == Target::Rewritable).then_some(copy),
            })),
        })
    }
}

/// ECMA-167 2/9.1: the identifiers of a Volume Recognition Sequence's descriptors.
pub(super) const VRS_IDENTS: [&[u8; 5]; 6] =
    [b"BEA01", b"NSR02", b"NSR03", b"TEA01", b"BOOT2", b"CDW02"];

/// The sector after a UDF Volume Recognition Sequence that starts at `from` and names
/// an NSR descriptor (a UDF volume), or `None` when there is none.
fn old_vrs_end(disc: &mut dyn SectorRead, from: u32) -> Option<u32> {
    let mut sector = vec![0u8; SECTOR as usize];
    let mut nsr = false;
    let mut at = from;
    // A VRS is a handful of descriptors; 16 bounds a hostile disc.
    for _ in 0..16 {
        disc.read_sectors(at, &mut sector).ok()?;
        let ident = &sector[1..6];
        if sector[0] != 0 || sector[6] != 1 || !VRS_IDENTS.iter().any(|i| i[..] == *ident) {
            break;
        }
        nsr |= ident == b"NSR02" || ident == b"NSR03";
        at += 1;
    }
    nsr.then_some(at)
}
