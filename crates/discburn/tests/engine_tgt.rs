//! The write engine over iSCSI to tgt (a blank DVD+R over a file): pipelined WRITEs
//! through `execute_queue` with the initiator's `max_in_flight`, and one at a time.
//! Needs `tgtd` (Debian's tgt; scripts/test installs it).

use std::sync::Arc;
use std::time::Duration;

use discburn::mmc::clock::SystemClock;
use discburn::mmc::transport::{Request, Transport};
use discburn::{Recorder, WriteEngine};
use discburn_iscsi::testing::Tgt;
use discburn_iscsi::{IscsiOptions, IscsiTransport, IscsiUrl};

fn pattern(sectors: usize) -> Vec<u8> {
    (0..sectors * 2048)
        .map(|i| ((i / 2048) as u8) ^ (i as u8).wrapping_mul(29))
        .collect()
}

fn write_through_tgt(max_in_flight: usize) {
    let tgt = Tgt::start();
    let options = IscsiOptions {
        max_in_flight,
        ..IscsiOptions::default()
    };
    let mut t = IscsiTransport::connect(IscsiUrl::parse(&tgt.url()).unwrap(), options).unwrap();
    // The unit attention of the new session; it also makes tgt open its CmdSN window,
    // which the Recorder reads (as `Limits::max_in_flight`) once, when it is made.
    let tur = [0u8; 6];
    let _ = t.execute(Request::none(&tur, Duration::from_secs(5)));
    let rec = Arc::new(Recorder::new(Box::new(t), tgt.url(), SystemClock::shared()));
    rec.test_unit_ready().unwrap();
    let in_flight = rec.limits().max_in_flight;
    assert!((1..=max_in_flight).contains(&in_flight), "{in_flight}");
    if max_in_flight > 1 {
        assert!(in_flight > 1, "tgt admits several commands: {in_flight}");
    }
    let e = WriteEngine::with_recorder(Arc::clone(&rec), 2048).unwrap();
    let sectors = 3000; // not a whole number of 1 MiB buffers
    let data = pattern(sectors);
    let last = e.write_section(&data[..], 0, sectors as i32).unwrap();
    assert_eq!(last.last_written_lba, sectors as i32 - 1);
    rec.command(
        &discburn::mmc::rw::SynchronizeCache10::default(),
        discburn::mmc::transport::DataPhase::None,
        Duration::from_secs(30),
    )
    .unwrap();
    assert!(
        tgt.image_bytes() == data,
        "tgt's file differs from the section"
    );
}

#[test]
fn pipelined_write_section_to_tgt() {
    write_through_tgt(8);
}

#[test]
fn one_at_a_time_write_section_to_tgt() {
    write_through_tgt(1);
}
