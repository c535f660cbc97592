//! `iscsi://` URLs are user input: any string parses or fails with a message, never a
//! panic; an accepted URL shown back (password hidden) parses to the same address; an
//! error never repeats the password.

use discburn_iscsi::url::{IscsiUrl, MAX_LUN};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_string_parses_or_fails_cleanly(s in ".{0,80}") {
        for url in [s.clone(), format!("iscsi://{s}")] {
            if let Ok(u) = IscsiUrl::parse(&url) {
                prop_assert!(u.lun <= MAX_LUN && u.port != 0);
            }
        }
    }

    #[test]
    fn accepted_urls_round_trip(
        user in prop::option::of("[a-z@:]{1,6}"),
        host in prop_oneof!["[a-z0-9.\\-]{1,12}", "\\[[0-9a-f:]{2,12}(%[a-z0-9]{1,4})?\\]", "[\\x00-\\x7f]{1,8}"],
        port in prop::option::of(any::<u16>()),
        target in "[ -~]{0,30}",
        lun in any::<u16>(),
        query in "(\\?((header|data)_digest=(crc32c|none|CRC32C|md5)&?){0,3})?",
    ) {
        let auth = user.map(|u| format!("{u}%pw@")).unwrap_or_default();
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let url = format!("iscsi://{auth}{host}{port}/{target}/{lun}{query}");
        match IscsiUrl::parse(&url) {
            Ok(u) => {
                let shown = u.to_string();
                prop_assert!(!shown.contains("%pw@"));
                let mut back = IscsiUrl::parse(&shown).map_err(|e| TestCaseError::fail(e.to_string()))?;
                if back.password.is_some() {
                    back.password.clone_from(&u.password);
                }
                prop_assert_eq!(back, u);
            }
            Err(e) => prop_assert!(!e.to_string().contains("%pw@"), "{}", e),
        }
    }
}
