//! Fuzzes every speed/buffer parser: GET PERFORMANCE, SET STREAMING, SET CD SPEED and
//! READ BUFFER CAPACITY CDBs, performance and write speed answers, the performance
//! descriptor, both buffer capacity forms, and the unit conversions.
#![no_main]

#[path = "../common/mmc.rs"]
mod mmc;

use discburn_mmc::profile::MediaFamily;
use discburn_mmc::speed::{
    kbps_to_sectors_per_second, kbps_to_x, sectors_per_second_to_kbps, x_to_kbps,
    BufferCapacityBlocks, BufferCapacityBytes, BufferCapacityView, GetPerformance, PerformanceData,
    PerformanceDescriptor, PerformanceHeader, ReadBufferCapacity, SetCdSpeed, SetStreaming,
    WriteSpeedData,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mmc::cdbs!(
        data,
        [GetPerformance, SetStreaming, SetCdSpeed, ReadBufferCapacity]
    );
    let _ = PerformanceHeader::parse(data);
    mmc::repr::<PerformanceData>(data);
    if let Some(w) = mmc::repr::<WriteSpeedData>(data) {
        assert!(w.descriptors.len() * 16 <= data.len());
    }
    if let Ok(d) = PerformanceDescriptor::parse(data) {
        let _ = (d.read_kbps(), d.write_kbps());
    }
    let _ = BufferCapacityBytes::parse(data).map(|b| b.used());
    let _ = BufferCapacityBlocks::parse(data);
    let v = BufferCapacityView::new(data);
    let _ = (
        v.data_length(),
        v.buffer_length(),
        v.available(),
        v.is_complete(),
    );
    if data.len() >= 4 {
        let kbps = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
        for f in [
            MediaFamily::Cd,
            MediaFamily::Dvd,
            MediaFamily::Bd,
            MediaFamily::Other,
        ] {
            let s = kbps_to_sectors_per_second(f, kbps);
            let _ = sectors_per_second_to_kbps(f, s);
            if let Some(x) = kbps_to_x(f, kbps) {
                let _ = x_to_kbps(f, x);
            }
        }
    }
});
