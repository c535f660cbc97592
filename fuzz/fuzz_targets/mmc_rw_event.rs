//! Fuzzes the block I/O and event families of discburn-mmc: READ/WRITE (10)/(12),
//! SYNCHRONIZE CACHE, READ CAPACITY and GET EVENT STATUS NOTIFICATION CDBs, READ CAPACITY
//! data and event status data. Whatever parses must re-emit and parse back the same.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::event::{EventStatus, EventStatusView, GetEventStatusNotification};
use discburn_mmc::rw::{
    Read10, Read12, ReadCapacity10, ReadCapacityData, SynchronizeCache10, Write10, Write12,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdbs!(
        data,
        [
            Read10, Read12, Write10, Write12, SynchronizeCache10, ReadCapacity10,
            GetEventStatusNotification,
        ]
    );
    mmc::reprs!(data, [ReadCapacityData, EventStatus]);
    let v = EventStatusView::new_unchecked(data);
    let _ = (v.media_event(), v.descriptor_bytes(), v.class());
});
