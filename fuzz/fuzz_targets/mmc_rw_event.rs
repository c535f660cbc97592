//! Fuzzes the block I/O and event families of discburn-mmc: READ/WRITE (10)/(12),
//! SYNCHRONIZE CACHE, READ CAPACITY and GET EVENT STATUS NOTIFICATION CDBs, READ CAPACITY
//! data and event status data. Whatever parses must re-emit and parse back the same.
#![no_main]

use discburn_mmc::event::{EventStatus, EventStatusView, GetEventStatusNotification};
use discburn_mmc::rw::{
    Read10, Read12, ReadCapacity10, ReadCapacityData, SynchronizeCache10, Write10, Write12,
};
use discburn_mmc::Command;
use libfuzzer_sys::fuzz_target;

fn cdb<C: Command + PartialEq + core::fmt::Debug>(data: &[u8]) {
    if let Ok(c) = C::parse(data) {
        assert_eq!(C::parse(c.emit().as_bytes()).as_ref(), Ok(&c));
    }
}

fuzz_target!(|data: &[u8]| {
    cdb::<Read10>(data);
    cdb::<Read12>(data);
    cdb::<Write10>(data);
    cdb::<Write12>(data);
    cdb::<SynchronizeCache10>(data);
    cdb::<ReadCapacity10>(data);
    cdb::<GetEventStatusNotification>(data);
    if let Ok(d) = ReadCapacityData::parse(data) {
        let mut out = [0u8; 8];
        assert_eq!(d.emit(&mut out), Ok(8));
        assert_eq!(ReadCapacityData::parse(&out), Ok(d));
    }
    if let Ok(e) = EventStatus::parse(data) {
        let mut out = vec![0u8; e.buffer_len()];
        assert_eq!(e.emit(&mut out), Ok(e.buffer_len()));
        assert_eq!(EventStatus::parse(&out), Ok(e));
    }
    let v = EventStatusView::new_unchecked(data);
    let _ = (v.media_event(), v.descriptor_bytes(), v.class());
});
