//! Unthrottled WRITE(12) throughput of the virtual drive into its image file, next to a
//! plain sequential file write of the same size on the same disk.
//!
//! `cargo bench -p discburn-vdrive --bench write_throughput`
#![allow(missing_docs)] // criterion_group! defines an undocumented public function

use std::io::Write;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use discburn_mmc::clock::SystemClock;
use discburn_mmc::rw::{SynchronizeCache10, Write12};
use discburn_mmc::{Command, Request, Transport};
use discburn_vdrive::{Media, VirtualDriveConfig};

const TOTAL: usize = 256 << 20;
const CHUNK_BLOCKS: u32 = 32;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let chunk = vec![0x5Au8; CHUNK_BLOCKS as usize * 2048];
    let mut g = c.benchmark_group("write_256MiB");
    g.throughput(Throughput::Bytes(TOTAL as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    let mut n = 0;
    g.bench_function("vdrive_unthrottled_write12_64KiB", |b| {
        b.iter(|| {
            n += 1;
            let path = dir.path().join(format!("v{n}.img"));
            let mut d = VirtualDriveConfig::new(&path, Media::BdR)
                .unthrottled()
                .open(SystemClock::shared())
                .unwrap();
            let t = Duration::from_secs(60);
            let mut lba = 0;
            while (lba as usize) * 2048 < TOTAL {
                let cdb = Write12 {
                    lba,
                    blocks: CHUNK_BLOCKS,
                    dpo: false,
                    fua: false,
                    streaming: true,
                }
                .emit();
                let r = d
                    .execute(Request::data_out(cdb.as_bytes(), &chunk, t))
                    .unwrap();
                assert!(r.is_good());
                lba += CHUNK_BLOCKS;
            }
            let cdb = SynchronizeCache10 {
                immed: false,
                lba: 0,
                blocks: 0,
            }
            .emit();
            assert!(d
                .execute(Request::none(cdb.as_bytes(), t))
                .unwrap()
                .is_good());
            drop(d);
            std::fs::remove_file(&path).unwrap();
        })
    });
    g.bench_function("plain_file_write_64KiB", |b| {
        b.iter(|| {
            n += 1;
            let path = dir.path().join(format!("p{n}.img"));
            let mut f = std::fs::File::create(&path).unwrap();
            let mut done = 0;
            while done < TOTAL {
                f.write_all(&chunk).unwrap();
                done += chunk.len();
            }
            f.sync_data().unwrap();
            drop(f);
            std::fs::remove_file(&path).unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
