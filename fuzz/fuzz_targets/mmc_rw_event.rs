//! Fuzzes the block I/O and event families of discburn-mmc: READ/WRITE (10)/(12), READ
//! CD (and the sector size its selection asks for), lead-in R-W sub-channel blocks,
//! SYNCHRONIZE CACHE, READ CAPACITY and GET EVENT STATUS NOTIFICATION CDBs, READ CAPACITY
//! data and event status data. Whatever parses must re-emit and parse back the same.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::event::{EventStatus, EventStatusView, GetEventStatusNotification};
use discburn_mmc::readcd::ReadCd;
use discburn_mmc::rw::{
    Read10, Read12, ReadCapacity10, ReadCapacityData, SendOpcInformation, SynchronizeCache10,
    Write10, Write12,
};
use discburn_mmc::subchannel::{pack_rw, unpack_rw, RW_LEN};
use discburn_mmc::Command;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdbs!(
        data,
        [
            Read10,
            Read12,
            Write10,
            Write12,
            SynchronizeCache10,
            ReadCapacity10,
            SendOpcInformation,
            GetEventStatusNotification,
            ReadCd,
        ]
    );
    mmc::reprs!(data, [ReadCapacityData, EventStatus]);
    let v = EventStatusView::new_unchecked(data);
    let _ = (v.media_event(), v.descriptor_bytes(), v.class());
    if let Ok(c) = ReadCd::parse(data) {
        let _ = (c.sector_len(true), c.sector_len(false));
    }
    if let Some(block) = data
        .get(..RW_LEN)
        .and_then(|b| <&[u8; RW_LEN]>::try_from(b).ok())
    {
        // Six-bit symbols: the packs re-spread give back the low six bits.
        let again = pack_rw(&unpack_rw(block));
        assert!(again.iter().zip(block).all(|(a, b)| *a == b & 0x3F));
    }
});
