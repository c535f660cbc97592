//! Arbitrary `iscsi://…` strings (user input): parsing never panics, errors never show
//! the password, and an accepted URL shown back (password hidden) parses to the same
//! address.
#![no_main]

use discburn_iscsi::IscsiUrl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    for url in [s.to_string(), format!("iscsi://{s}")] {
        match IscsiUrl::parse(&url) {
            Ok(u) => {
                assert!(u.lun <= discburn_iscsi::url::MAX_LUN && u.port != 0);
                let shown = u.to_string();
                let mut back = IscsiUrl::parse(&shown).expect("a shown URL parses");
                if back.password.is_some() {
                    back.password.clone_from(&u.password);
                }
                assert_eq!(back, u, "{shown}");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
