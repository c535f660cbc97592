//! `discburn format` on a DVD-RAM: a full format (MMC-6 FORMAT UNIT 00h), after which
//! the disc takes a burn that verifies.

mod common;

use common::*;

#[test]
fn format_a_dvd_ram_then_burn_and_verify() {
    let (dir, addr) = new_drive("dvd-ram");
    let old = image(dir.path(), "old.iso", 300, 1);
    succeeds(discburn(&addr).arg("write").arg(&old));

    succeeds(discburn(&addr).arg("format"));
    let m = medium(&addr);
    assert_eq!(m["profile"], "DVD-RAM", "{m}");
    assert_eq!(m["capacity_sectors"], 2_236_704, "{m}");

    let img = image(dir.path(), "new.iso", 500, 2);
    succeeds(discburn(&addr).args(["write", "--verify"]).arg(&img));
    succeeds(discburn(&addr).arg("verify").arg(&img));
}
