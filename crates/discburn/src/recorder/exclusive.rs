//! IDiscRecorder2::AcquireExclusiveAccess in user space: one counted lock per device
//! (keyed by the recorder's address) with the holder's client name. Linux has no kernel
//! lock with an owner name, so this keeps IMAPI2's semantics inside the process; the
//! backends add their own cross-process locks (O_EXCL on sg, a lock file on vdrive).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Longest client name accepted (CDROM_EXCLUSIVE_CALLER_LENGTH is 64 with the NUL).
pub const MAX_CLIENT_NAME_LEN: usize = 63;

/// Who holds a device.
#[derive(Debug, Clone)]
pub(crate) struct Holder {
    pub(crate) instance: u64,
    pub(crate) client: String,
    pub(crate) count: u32,
}

/// The lock of one device, shared by every [`crate::Recorder`] opened on it.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    pub(crate) holder: Mutex<Option<Holder>>,
}

fn registry() -> &'static Mutex<HashMap<String, Weak<Slot>>> {
    static R: OnceLock<Mutex<HashMap<String, Weak<Slot>>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// The slot for device `key`, created on first use.
pub(crate) fn slot_for(key: &str) -> Arc<Slot> {
    let mut map = registry().lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, w| w.strong_count() > 0);
    if let Some(s) = map.get(key).and_then(Weak::upgrade) {
        return s;
    }
    let s = Arc::new(Slot::default());
    map.insert(key.to_string(), Arc::downgrade(&s));
    s
}

/// A process-unique number for each recorder object.
pub(crate) fn next_instance() -> u64 {
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

/// IMAPI2's client-name rule (Microsoft's `BstrIsValidClientName`): non-empty, at most
/// [`MAX_CLIENT_NAME_LEN`] characters of 0-9 a-z A-Z space . , : ; _ -.
pub fn is_valid_client_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_CLIENT_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " .,:;_-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names() {
        assert!(is_valid_client_name("discburn 0.1: burn_test-1.x"));
        assert!(!is_valid_client_name(""));
        assert!(!is_valid_client_name("a/b"));
        assert!(!is_valid_client_name("é"));
        assert!(!is_valid_client_name(&"a".repeat(64)));
    }

    #[test]
    fn one_slot_per_key() {
        let a = slot_for("test:slot");
        let b = slot_for("test:slot");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &slot_for("test:other")));
        assert_ne!(next_instance(), next_instance());
    }
}
