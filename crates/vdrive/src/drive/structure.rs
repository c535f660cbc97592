//! Disc structures: READ DISC STRUCTURE (MMC-6 §6.23) — DVD physical format information
//! per layer, DVD-R recorded lead-in, pre-pits and ADIP identity, BD disc information
//! with a unit per layer, the dual-layer boundary, the list of structures — and SEND
//! DISC STRUCTURE (§6.33) for the boundary a host sets on a blank DVD±R DL.

use crate::check::Check;
use crate::media::Media;
use crate::media_id::MediaId;
use discburn_mmc::disc::{
    id_field, AdipInformation, BdDiscInformation, BookType, DiscStructureMedia, DvdPhysicalFormat,
    DvdPrePit, LayerBoundary, ReadDiscStructure, SendDiscStructure, StructureList,
    StructureListEntry,
};
use discburn_mmc::profile::MediaFamily;
use discburn_mmc::sense::Asc;
use discburn_mmc::DataPhase;

use super::{parse, Fail, Outcome, Reply, VirtualDrive};

/// Format 10h: a DVD-R's physical format information as recorded in its lead-in (what
/// growisofs reads on DVD-R DL for the Layer 0 end before a write).
const RECORDED_LEAD_IN_PFI: u8 = 0x10;

impl VirtualDrive {
    /// The DVD/BD identity of the disc: manufacturer, media type, revision.
    fn code_identity(&self) -> Option<(String, String, u8)> {
        match self.view().identity()? {
            MediaId::Code {
                manufacturer,
                media_type,
                revision,
            } => Some((manufacturer, media_type, revision)),
            MediaId::LeadIn { .. } => None,
        }
    }

    /// The BD disc information: BD-R/RE the 112-byte unit with the disc's identity,
    /// BD-ROM the 64-byte unit; one unit per recording layer.
    fn bd_disc_information(&self) -> BdDiscInformation {
        let media = self.disc.media;
        let id = match media.base() {
            Media::BdRe => *b"BDW",
            Media::BdRom => *b"BDO",
            _ => *b"BDR",
        };
        let di = match self.code_identity() {
            Some((m, t, rev)) if media != Media::BdRom => BdDiscInformation::recordable(
                id,
                id_field(&m).unwrap_or_default(),
                id_field(&t).unwrap_or_default(),
                rev,
            ),
            _ => BdDiscInformation::single_layer(id),
        };
        di.with_layers(media.spec().layers)
    }

    /// READ DISC STRUCTURE format 0Eh of a DVD-R/-RW: the pre-pit manufacturer ID.
    fn dvd_pre_pit(&self) -> Option<DvdPrePit> {
        matches!(self.disc.media.base(), Media::DvdMinusR | Media::DvdMinusRw)
            .then(|| self.code_identity())
            .flatten()
            .and_then(|(m, _, _)| DvdPrePit::with_manufacturer(&m))
    }

    /// READ DISC STRUCTURE format 11h of a DVD+R/+RW: the ADIP identity.
    fn adip(&self) -> Option<AdipInformation> {
        let book = match self.disc.media {
            Media::DvdPlusR => BookType::DvdPlusR,
            Media::DvdPlusRDl => BookType::DvdPlusRDl,
            Media::DvdPlusRw => BookType::DvdPlusRw,
            Media::DvdPlusRwDl => BookType::DvdPlusRwDl,
            _ => return None,
        };
        let (m, t, product_revision) = self.code_identity()?;
        Some(AdipInformation {
            disc_category: u8::from(book) << 4 | 1,
            manufacturer_id: id_field(&m)?,
            media_type_id: id_field(&t)?,
            product_revision,
        })
    }

    /// Format 00h of a DVD: one layer descriptor, dual-layer (opposite track path) with
    /// the Layer 0 end where the boundary is.
    fn dvd_physical_format(&self) -> DvdPhysicalFormat {
        let d = self.view();
        let book = match d.media {
            Media::DvdMinusR | Media::DvdMinusRDl => BookType::DvdMinusR,
            Media::DvdMinusRw => BookType::DvdMinusRw,
            Media::DvdPlusR => BookType::DvdPlusR,
            Media::DvdPlusRDl => BookType::DvdPlusRDl,
            Media::DvdPlusRw => BookType::DvdPlusRw,
            Media::DvdPlusRwDl => BookType::DvdPlusRwDl,
            Media::DvdRam => BookType::DvdRam,
            _ => BookType::DvdRom,
        };
        if d.is_dual_layer_dvd() {
            DvdPhysicalFormat::dual_layer(book, d.layer0_capacity())
        } else {
            DvdPhysicalFormat::single_layer(book, d.capacity)
        }
    }

    /// Format 20h on a DVD±R DL: Layer 0's capacity and whether it is fixed.
    fn layer_boundary(&self) -> Option<LayerBoundary> {
        let d = self.view();
        d.has_settable_layer_boundary().then(|| LayerBoundary {
            fixed: d.layer_boundary_fixed(),
            layer0_sectors: d.layer0_capacity(),
        })
    }

    /// MMC-6 §6.23 READ DISC STRUCTURE: DVD format 00h (physical format information, of
    /// each layer) and BD format 00h (disc information) from the medium model, 10h (the
    /// recorded lead-in's copy, DVD-R), 0Eh (DVD-R pre-pits) and 11h (DVD+R/+RW ADIP)
    /// with the disc's identity, 20h (layer boundary, DVD±R DL) and format FFh (the
    /// list of those) on both. A CD, or a media type that is not the loaded medium's
    /// family, answers 05/30/02; other formats or layers 05/24/00.
    pub(super) fn read_disc_structure(&self, cdb: &[u8]) -> Outcome {
        let c = parse::<ReadDiscStructure>(cdb)?;
        let media = self.disc.media;
        let spec = media.spec();
        let family = spec.family;
        let matches = matches!(
            (family, c.media_type),
            (MediaFamily::Dvd, DiscStructureMedia::Dvd) | (MediaFamily::Bd, DiscStructureMedia::Bd)
        );
        if !matches {
            return Err(Check::illegal(Asc::CANNOT_READ_MEDIUM_INCOMPATIBLE_FORMAT).into());
        }
        // Layer descriptors exist per layer (format 00h); everything else is disc-wide.
        let layer_ok = c.layer == 0 || (c.format == 0x00 && c.layer < spec.layers);
        if !layer_ok {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let out = |len: usize, f: &dyn Fn(&mut [u8]) -> discburn_mmc::wire::Result<usize>| {
            let mut v = vec![0u8; len];
            let n =
                f(&mut v).map_err(|_| Fail::Check(Check::illegal(Asc::INVALID_FIELD_IN_CDB)))?;
            v.truncate(n);
            Ok::<_, Fail>(Reply::Data(v, usize::from(c.alloc)))
        };
        let pre_pit = self.dvd_pre_pit();
        let adip = self.adip();
        let boundary = self.layer_boundary();
        let lead_in = media.base() == Media::DvdMinusR;
        if let (DvdPrePit::FORMAT, Some(r)) = (c.format, &pre_pit) {
            return out(r.buffer_len(), &|b| r.emit(b));
        }
        if let (AdipInformation::FORMAT, Some(r)) = (c.format, &adip) {
            return out(r.buffer_len(), &|b| r.emit(b));
        }
        if let (LayerBoundary::FORMAT, Some(r)) = (c.format, &boundary) {
            return out(r.buffer_len(), &|b| r.emit(b));
        }
        match c.format {
            0x00 if family == MediaFamily::Bd => {
                let r = self.bd_disc_information();
                out(r.buffer_len(), &|b| r.emit(b))
            }
            0x00 => {
                let r = self.dvd_physical_format();
                out(r.buffer_len(), &|b| r.emit(b))
            }
            RECORDED_LEAD_IN_PFI if lead_in => {
                let r = self.dvd_physical_format();
                out(r.buffer_len(), &|b| r.emit(b))
            }
            StructureList::FORMAT => {
                let entry = |format: u8, sds: bool, length: usize| StructureListEntry {
                    format,
                    sds,
                    rds: true,
                    length: length as u16,
                };
                let pfi_len = match family {
                    MediaFamily::Bd => self.bd_disc_information().units.len(),
                    _ => DvdPhysicalFormat::DESCRIPTOR_LEN,
                };
                let mut entries = vec![entry(0x00, false, pfi_len)];
                if pre_pit.is_some() {
                    entries.push(entry(DvdPrePit::FORMAT, false, DvdPrePit::BODY_LEN));
                }
                if lead_in {
                    entries.push(entry(RECORDED_LEAD_IN_PFI, false, pfi_len));
                }
                if adip.is_some() {
                    entries.push(entry(
                        AdipInformation::FORMAT,
                        false,
                        AdipInformation::BODY_LEN,
                    ));
                }
                if let Some(b) = boundary {
                    entries.push(entry(
                        LayerBoundary::FORMAT,
                        !b.fixed,
                        LayerBoundary::BODY_LEN,
                    ));
                }
                entries.sort_by_key(|e| e.format);
                let list_len = (entries.len() + 1) * StructureList::ENTRY_LEN;
                entries.push(entry(StructureList::FORMAT, false, list_len));
                let r = StructureList { entries };
                out(r.buffer_len(), &|b| r.emit(b))
            }
            _ => Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into()),
        }
    }

    /// MMC-6 §6.33 SEND DISC STRUCTURE, format 20h on a blank DVD±R DL: sets Layer 0's
    /// capacity (growisofs `-dvd-compat`, libburn), which the drive keeps with the disc.
    /// Other media or formats answer 05/24/00; the rules of the value are the model's
    /// ([`DiscState::set_layer0`](crate::model::DiscState::set_layer0)).
    pub(super) fn send_disc_structure(&mut self, cdb: &[u8], data: &mut DataPhase<'_>) -> Outcome {
        let c = parse::<SendDiscStructure>(cdb)?;
        let dvd = self.disc.media.spec().family == MediaFamily::Dvd;
        if !dvd || c.media_type != DiscStructureMedia::Dvd || c.format != LayerBoundary::FORMAT {
            return Err(Check::illegal(Asc::INVALID_FIELD_IN_CDB).into());
        }
        let len = usize::from(c.parameter_length);
        let list = match data {
            DataPhase::Out(buf) if len >= LayerBoundary::LEN && len <= buf.len() => &buf[..len],
            _ => return Err(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR).into()),
        };
        let b = LayerBoundary::parse(list)
            .map_err(|_| Fail::Check(Check::illegal(Asc::PARAMETER_LIST_LENGTH_ERROR)))?;
        self.disc.set_layer0(b.layer0_sectors)?;
        tracing::debug!(
            "virtual drive: Layer 0 holds {} sectors (capacity {})",
            b.layer0_sectors,
            self.disc.capacity
        );
        self.apply_speed();
        self.save_checked()?;
        Ok(Reply::Done(len))
    }
}
