//! Fuzzes the target's connection state machine with arbitrary bytes after a valid
//! login (and, with the first byte odd, from the very first byte): no panic, output
//! bounded by the input, every command it hands out completed with data of its size.
#![no_main]

use std::sync::Arc;
use std::time::Duration;

use discburn_iscsi::target::{TargetConfig, TargetConnection, TaskResult};
use discburn_iscsi::testing_login::full_feature_login;
use libfuzzer_sys::fuzz_target;

fn login() -> Vec<u8> {
    full_feature_login(
        "InitiatorName=iqn.fuzz:i\0TargetName=iqn.fuzz:t\0InitialR2T=No\0\
         ImmediateData=Yes\0FirstBurstLength=65536\0MaxBurstLength=65536\0",
    )
}

fuzz_target!(|data: &[u8]| {
    let mut cfg = TargetConfig::new("iqn.fuzz:t", 2, "127.0.0.1:3260");
    cfg.max_transfer = 1 << 20;
    let mut c = TargetConnection::new(Arc::new(cfg), 1, [7; 16], Duration::ZERO);
    if data.first().is_some_and(|b| b & 1 == 0) {
        c.receive(&login(), Duration::ZERO);
    }
    let mut sent = c.take_output().len();
    for (i, chunk) in data.chunks(61).enumerate() {
        let now = Duration::from_millis(i as u64 * 10);
        c.receive(chunk, now);
        while let Some(cmd) = c.next_command() {
            assert!(cmd.data_in_len <= 1 << 20 && cmd.data_out.len() <= 1 << 20);
            let result = TaskResult {
                status: chunk.first().copied().unwrap_or(0) & 0x02,
                sense: vec![0x70, 0, 5, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0, 0, 0, 0, 0],
                data: vec![0xa5; cmd.data_in_len],
            };
            c.complete(cmd.task, result);
        }
        if c.poll_timeout().is_some_and(|t| now >= t) {
            c.handle_timeout(now);
        }
        sent += c.take_output().len();
    }
    // Responses are bounded by what was asked: at most 1 MiB of Data-In per 48-byte
    // command header received, plus headers.
    assert!(sent <= 4096 + data.len() * 64 + (data.len() / 48 + 1) * ((1 << 20) + 4096));
});
