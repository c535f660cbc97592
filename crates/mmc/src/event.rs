//! GET EVENT STATUS NOTIFICATION (MMC-6 §6.7): the event header and the media event
//! descriptor, which say whether a disc is present, the tray open, or the medium changed.
//!
//! The CDB is a [`Command`]; reserved bits are ignored on parse and written as zero. The
//! reply is read from the bytes actually transferred: a descriptor is kept only when the
//! length field announces it and all 4 of its bytes arrived.
//!
//! [`Command`]: crate::Command

use crate::wire::{self, check_room, put_be16, put_u8, u8_at};

/// A set of notification classes, as the Notification Class Request (CDB byte 4) and the
/// Supported Event Classes (header byte 3) carry them: one bit per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EventClasses(u8);

impl EventClasses {
    /// No class.
    pub const NONE: EventClasses = EventClasses(0);
    /// Bit 1: operational change.
    pub const OPERATIONAL_CHANGE: EventClasses = EventClasses(0x02);
    /// Bit 2: power management.
    pub const POWER_MANAGEMENT: EventClasses = EventClasses(0x04);
    /// Bit 3: external request.
    pub const EXTERNAL_REQUEST: EventClasses = EventClasses(0x08);
    /// Bit 4: media.
    pub const MEDIA: EventClasses = EventClasses(0x10);
    /// Bit 5: multiple host.
    pub const MULTI_HOST: EventClasses = EventClasses(0x20);
    /// Bit 6: device busy.
    pub const DEVICE_BUSY: EventClasses = EventClasses(0x40);
    /// Bits that name a class; bits 0 and 7 are reserved.
    const DEFINED: u8 = 0x7E;

    /// The set from its byte; reserved bits 0 and 7 are dropped.
    pub fn from_bits(bits: u8) -> Self {
        EventClasses(bits & Self::DEFINED)
    }

    /// The set's byte.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// True when every class of `other` is in `self`.
    pub fn contains(self, other: EventClasses) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when `class` is in the set.
    pub fn has(self, class: NotificationClass) -> bool {
        let n = u8::from(class);
        (1..=6).contains(&n) && self.0 & (1 << n) != 0
    }
}

impl core::ops::BitOr for EventClasses {
    type Output = EventClasses;
    fn bitor(self, rhs: EventClasses) -> EventClasses {
        EventClasses(self.0 | rhs.0)
    }
}

impl From<u8> for EventClasses {
    /// [`EventClasses::from_bits`].
    fn from(bits: u8) -> Self {
        EventClasses::from_bits(bits)
    }
}

impl From<EventClasses> for u8 {
    /// [`EventClasses::bits`].
    fn from(classes: EventClasses) -> u8 {
        classes.bits()
    }
}

crate::command! {
    /// MMC-6 §6.7 GET EVENT STATUS NOTIFICATION.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct GetEventStatusNotification: OpCode::GetEventStatusNotification, 10 bytes;
    {
        /// Polled (byte 1 bit 0): report now. Asynchronous operation (0) is rarely supported.
        pub polled: bool = bit(1, 0),
        /// Notification Class Request (byte 4).
        pub classes: EventClasses = from(u8(4)),
        /// Allocation length (bytes 7–8); 8 holds the header and one descriptor.
        pub alloc: u16 = be16(7),
    }
}

impl GetEventStatusNotification {
    /// A polled request for the media class, 8 bytes.
    pub fn media() -> Self {
        GetEventStatusNotification {
            polled: true,
            classes: EventClasses::MEDIA,
            alloc: 8,
        }
    }
}

crate::wire_enum! {
    /// Notification Class of the returned event (header byte 2 bits 0–2).
    pub enum NotificationClass: u8 & 0x07 {
        /// 000b: none of the requested classes is supported (NEA is set).
        NoRequestedClass = 0 => "No requested event classes",
        /// 001b: operational change.
        OperationalChange = 1 => "Operational Change",
        /// 010b: power management.
        PowerManagement = 2 => "Power Management",
        /// 011b: external request.
        ExternalRequest = 3 => "External Request",
        /// 100b: media.
        Media = 4 => "Media",
        /// 101b: multiple host.
        MultiHost = 5 => "Multi-Host",
        /// 110b: device busy.
        DeviceBusy = 6 => "Device Busy",
        /// 111b (reserved), kept as received.
        Unknown => "reserved",
    }
}

crate::wire_enum! {
    /// Media Event Code (media event descriptor byte 0 bits 0–3).
    pub enum MediaEventCode: u8 & 0x0F {
        /// 0h: no change.
        NoChange = 0 => "NoChg",
        /// 1h: the user asked to eject (button pressed).
        EjectRequest = 1 => "EjectRequest",
        /// 2h: a medium was inserted.
        NewMedia = 2 => "NewMedia",
        /// 3h: the medium was removed.
        MediaRemoval = 3 => "MediaRemoval",
        /// 4h: the medium changed (user-forced or device-initiated).
        MediaChanged = 4 => "MediaChanged",
        /// 5h: a background format completed.
        BgFormatCompleted = 5 => "BGFormatCompleted",
        /// 6h: a background format restarted.
        BgFormatRestarted = 6 => "BGFormatRestarted",
        /// Any other value, kept as received.
        Unknown => "reserved",
    }
}

crate::record! {
    /// The media event descriptor (MMC-6 §6.7, media class; 4 bytes after the header).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct MediaEvent, 4 bytes;
    {
        /// Media Event Code (byte 0 bits 0–3).
        pub code: MediaEventCode = from(bits(0, 0x0F << 0)),
        /// Media Present (byte 1 bit 1).
        pub media_present: bool = bit(1, 1),
        /// Door or Tray Open (byte 1 bit 0).
        pub door_open: bool = bit(1, 0),
        /// Start Slot (byte 2; 0 without a changer).
        pub start_slot: u8 = u8(2),
        /// End Slot (byte 3; 0 without a changer).
        pub end_slot: u8 = u8(3),
    }
}

/// The 4-byte event descriptor after the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventDescriptor {
    /// A media class event.
    Media(MediaEvent),
    /// Any other class's descriptor, raw.
    Other([u8; 4]),
}

/// Byte offsets of the event status reply.
mod field {
    pub const EVENT_DATA_LENGTH: usize = 0;
    /// NEA bit 7, notification class bits 0–2.
    pub const CLASS: usize = 2;
    pub const SUPPORTED: usize = 3;
    pub const DESCRIPTOR: usize = 4;
    pub const HEADER_LEN: usize = 4;
    pub const DESCRIPTOR_LEN: usize = 4;
}

const NEA: u8 = 0x80;

crate::wire_view! {
    /// A view over GET EVENT STATUS NOTIFICATION data; accessors never panic (bytes past the
    /// end read as 0).
    pub struct EventStatusView, at least field::HEADER_LEN;
    {
        /// Event Descriptor Length (bytes 0–1): bytes after this field, as the device claims.
        pub event_data_length: u16 = be16(field::EVENT_DATA_LENGTH),
        /// NEA, no event available (byte 2 bit 7).
        pub nea: bool = bit(field::CLASS, 7),
        /// Notification Class (byte 2 bits 0–2).
        pub class: NotificationClass = from(u8(field::CLASS)),
    }
}

impl<T: AsRef<[u8]>> EventStatusView<T> {
    /// Supported Event Classes (byte 3).
    pub fn supported(&self) -> EventClasses {
        EventClasses::from_bits(u8_at(self.b(), field::SUPPORTED))
    }
    /// The descriptor's 4 bytes, when the length field announces them and they arrived.
    pub fn descriptor_bytes(&self) -> Option<[u8; 4]> {
        let claimed = usize::from(self.event_data_length()) + 2;
        if claimed < field::HEADER_LEN + field::DESCRIPTOR_LEN {
            return None;
        }
        let d = self
            .b()
            .get(field::DESCRIPTOR..field::DESCRIPTOR + field::DESCRIPTOR_LEN)?;
        Some([d[0], d[1], d[2], d[3]])
    }
    /// The media event, when the class is media and the descriptor is present.
    pub fn media_event(&self) -> Option<MediaEvent> {
        if self.class() != NotificationClass::Media {
            return None;
        }
        self.descriptor_bytes().map(|d| MediaEvent::read(&d))
    }
}

/// GET EVENT STATUS NOTIFICATION data (MMC-6 §6.7): the event header and, when there is
/// an event, its descriptor (a [`MediaEvent`] for the media class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventStatus {
    /// NEA, no event available (byte 2 bit 7): none of the requested classes is supported.
    pub nea: bool,
    /// Notification Class of the descriptor (byte 2 bits 0–2).
    pub class: NotificationClass,
    /// Supported Event Classes (byte 3).
    pub supported: EventClasses,
    /// The event descriptor (bytes 4–7): [`EventDescriptor::Media`] when `class` is
    /// media, raw otherwise; `None` when not announced or not transferred.
    pub descriptor: Option<EventDescriptor>,
}

impl EventStatus {
    /// A media event reply, as a drive supporting `supported` sends it.
    pub fn media(event: MediaEvent, supported: EventClasses) -> Self {
        EventStatus {
            nea: false,
            class: NotificationClass::Media,
            supported,
            descriptor: Some(EventDescriptor::Media(event)),
        }
    }

    /// The media event, if this reply carries one.
    pub fn media_event(&self) -> Option<MediaEvent> {
        match self.descriptor {
            Some(EventDescriptor::Media(m)) => Some(m),
            _ => None,
        }
    }

    /// Parses the reply from the bytes transferred (at least the 4-byte header).
    pub fn parse(buf: &[u8]) -> wire::Result<Self> {
        let v = EventStatusView::new_checked(buf)?;
        let class = v.class();
        let descriptor = v.descriptor_bytes().map(|d| match class {
            NotificationClass::Media => EventDescriptor::Media(MediaEvent::read(&d)),
            _ => EventDescriptor::Other(d),
        });
        Ok(EventStatus {
            nea: v.nea(),
            class,
            supported: v.supported(),
            descriptor,
        })
    }

    /// Bytes [`emit`](Self::emit) writes: 8, or 4 without a descriptor.
    pub fn buffer_len(&self) -> usize {
        field::HEADER_LEN
            + if self.descriptor.is_some() {
                field::DESCRIPTOR_LEN
            } else {
                0
            }
    }

    /// Writes the reply with a correct length field; returns the bytes written.
    pub fn emit(&self, buf: &mut [u8]) -> wire::Result<usize> {
        let len = self.buffer_len();
        check_room(buf, len)?;
        let out = &mut buf[..len];
        out.fill(0);
        put_be16(out, field::EVENT_DATA_LENGTH, (len - 2) as u16);
        put_u8(
            out,
            field::CLASS,
            if self.nea { NEA } else { 0 } | u8::from(self.class),
        );
        put_u8(out, field::SUPPORTED, self.supported.bits());
        match &self.descriptor {
            Some(EventDescriptor::Media(m)) => {
                m.emit(&mut out[field::DESCRIPTOR..])?;
            }
            Some(EventDescriptor::Other(d)) => out[field::DESCRIPTOR..].copy_from_slice(d),
            None => {}
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use proptest::prelude::*;

    #[test]
    fn gesn_cdb_bytes() {
        let c = GetEventStatusNotification::media();
        let raw = [0x4A, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x08, 0x00];
        assert_eq!(c.emit().as_bytes(), &raw);
        assert_eq!(GetEventStatusNotification::parse(&raw), Ok(c));
        let several = [0x4A, 0x00, 0x00, 0x00, 0x52, 0x00, 0x00, 0x01, 0x00, 0x00];
        let p = GetEventStatusNotification::parse(&several).unwrap();
        assert!(!p.polled);
        assert_eq!(p.alloc, 256);
        assert_eq!(
            p.classes,
            EventClasses::OPERATIONAL_CHANGE | EventClasses::MEDIA | EventClasses::DEVICE_BUSY
        );
        // Reserved bits 0 and 7 of the class request are dropped.
        let reserved = [0x4A, 0x01, 0, 0, 0x91, 0, 0, 0, 8, 0];
        assert_eq!(
            GetEventStatusNotification::parse(&reserved)
                .unwrap()
                .classes,
            EventClasses::MEDIA
        );
        assert!(GetEventStatusNotification::parse(&raw[..9]).is_err());
        assert!(GetEventStatusNotification::parse(&[0x4B, 1, 0, 0, 0x10, 0, 0, 0, 8, 0]).is_err());
    }

    #[test]
    fn media_event_new_media() {
        // Header: 6 bytes follow, class media, supported: op change, power, external,
        // media, multi-host, busy. Descriptor: NewMedia, media present, tray closed.
        let raw = [0x00, 0x06, 0x04, 0x7E, 0x02, 0x02, 0x00, 0x00];
        let ev = EventStatus::parse(&raw).unwrap();
        let m = MediaEvent {
            code: MediaEventCode::NewMedia,
            media_present: true,
            door_open: false,
            start_slot: 0,
            end_slot: 0,
        };
        assert_eq!(ev, EventStatus::media(m, EventClasses::from_bits(0x7E)));
        assert_eq!(ev.media_event(), Some(m));
        assert!(ev.supported.has(NotificationClass::Media));
        assert!(!EventClasses::MEDIA.has(NotificationClass::PowerManagement));
        assert!(!ev.supported.has(NotificationClass::NoRequestedClass));
        let mut out = [0u8; 8];
        assert_eq!(ev.emit(&mut out), Ok(8));
        assert_eq!(out, raw);
        let v = EventStatusView::new_checked(&raw[..]).unwrap();
        assert_eq!(v.media_event(), Some(m));
    }

    #[test]
    fn media_event_tray_open_and_codes() {
        let raw = [0x00, 0x06, 0x04, 0x10, 0x03, 0x01, 0x00, 0x00];
        let m = EventStatus::parse(&raw).unwrap().media_event().unwrap();
        assert_eq!(m.code, MediaEventCode::MediaRemoval);
        assert!(m.door_open && !m.media_present);
        for (code, c) in [
            (0, MediaEventCode::NoChange),
            (1, MediaEventCode::EjectRequest),
            (4, MediaEventCode::MediaChanged),
            (5, MediaEventCode::BgFormatCompleted),
            (6, MediaEventCode::BgFormatRestarted),
            (9, MediaEventCode::Unknown(9)),
        ] {
            let raw = [0x00, 0x06, 0x04, 0x10, code, 0x02, 0x00, 0x00];
            assert_eq!(
                EventStatus::parse(&raw)
                    .unwrap()
                    .media_event()
                    .unwrap()
                    .code,
                c
            );
            assert_eq!(u8::from(c), code);
        }
    }

    #[test]
    fn no_event_available_and_short_replies() {
        // NEA: the drive supports none of the requested classes; header only.
        let raw = [0x00, 0x02, 0x80, 0x10];
        let ev = EventStatus::parse(&raw).unwrap();
        assert!(ev.nea);
        assert_eq!(ev.class, NotificationClass::NoRequestedClass);
        assert_eq!(ev.descriptor, None);
        let mut out = [0u8; 4];
        assert_eq!(ev.emit(&mut out), Ok(4));
        assert_eq!(out, raw);
        // The length field announces a descriptor the host did not make room for.
        let cut = [0x00, 0x06, 0x04, 0x10, 0x02, 0x02];
        assert_eq!(EventStatus::parse(&cut).unwrap().descriptor, None);
        // Bytes beyond what the length field announces are not a descriptor.
        let stale = [0x00, 0x02, 0x04, 0x10, 0x02, 0x02, 0x00, 0x00];
        assert_eq!(EventStatus::parse(&stale).unwrap().descriptor, None);
        assert!(EventStatus::parse(&raw[..3]).is_err());
        assert!(EventStatus::media(
            MediaEvent {
                code: MediaEventCode::NoChange,
                media_present: false,
                door_open: false,
                start_slot: 0,
                end_slot: 0
            },
            EventClasses::MEDIA
        )
        .emit(&mut [0u8; 7])
        .is_err());
    }

    #[test]
    fn other_class_descriptor_is_raw() {
        // Power management event: class 2, descriptor kept as bytes.
        let raw = [0x00, 0x06, 0x02, 0x14, 0x01, 0x01, 0x00, 0x00];
        let ev = EventStatus::parse(&raw).unwrap();
        assert_eq!(ev.class, NotificationClass::PowerManagement);
        assert_eq!(
            ev.descriptor,
            Some(EventDescriptor::Other([0x01, 0x01, 0x00, 0x00]))
        );
        assert_eq!(ev.media_event(), None);
        let mut out = [0u8; 8];
        ev.emit(&mut out).unwrap();
        assert_eq!(out, raw);
        let reserved = [0x00, 0x02, 0x07, 0x00];
        assert_eq!(
            EventStatus::parse(&reserved).unwrap().class,
            NotificationClass::Unknown(7)
        );
    }

    fn arb_media_event() -> impl Strategy<Value = MediaEvent> {
        (
            0u8..16,
            any::<bool>(),
            any::<bool>(),
            any::<u8>(),
            any::<u8>(),
        )
            .prop_map(|(code, media_present, door_open, start_slot, end_slot)| {
                MediaEvent {
                    code: MediaEventCode::from(code),
                    media_present,
                    door_open,
                    start_slot,
                    end_slot,
                }
            })
    }

    fn arb_event_status() -> impl Strategy<Value = EventStatus> {
        (
            any::<bool>(),
            0u8..8,
            any::<u8>(),
            any::<bool>(),
            arb_media_event(),
            any::<[u8; 4]>(),
        )
            .prop_map(|(nea, class, supported, has, media, raw)| {
                let class = NotificationClass::from(class);
                let descriptor = has.then_some(if class == NotificationClass::Media {
                    EventDescriptor::Media(media)
                } else {
                    EventDescriptor::Other(raw)
                });
                EventStatus {
                    nea,
                    class,
                    supported: EventClasses::from_bits(supported),
                    descriptor,
                }
            })
    }

    proptest! {
        #[test]
        fn gesn_cdb_round_trip(polled: bool, classes: u8, alloc: u16) {
            let c = GetEventStatusNotification {
                polled,
                classes: EventClasses::from_bits(classes),
                alloc,
            };
            let cdb = c.emit();
            prop_assert_eq!(cdb.as_bytes().len(), GetEventStatusNotification::LEN);
            prop_assert_eq!(GetEventStatusNotification::parse(cdb.as_bytes()), Ok(c));
        }

        #[test]
        fn event_status_round_trip(ev in arb_event_status()) {
            let mut buf = vec![0u8; ev.buffer_len()];
            prop_assert_eq!(ev.emit(&mut buf), Ok(ev.buffer_len()));
            prop_assert_eq!(EventStatus::parse(&buf), Ok(ev));
        }

        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = GetEventStatusNotification::parse(&bytes);
            if let Ok(ev) = EventStatus::parse(&bytes) {
                prop_assert!(ev.descriptor.is_none() || bytes.len() >= 8);
            }
            let v = EventStatusView::new_unchecked(&bytes[..]);
            let _ = (v.media_event(), v.supported(), v.nea());
        }
    }
}
