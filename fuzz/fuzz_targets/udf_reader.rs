//! A hostile small image opened by the UDF reader: opening, walking the tree and reading
//! every file answer with a value or a typed error, never a panic, a hang or unbounded
//! memory. The fuzzer's bytes are laid over a valid UDF 2.50 image so that it reaches
//! the directory walk, not just the anchor search.
#![no_main]

use std::sync::OnceLock;

use discburn_udf::desc::UnixTime;
use discburn_udf::emit::UdfStream;
use discburn_udf::plan::{self, Entry, FileId, Meta, Node, Options, Revision, Tree};
use discburn_udf::read::Volume;
use libfuzzer_sys::fuzz_target;

fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
        let file = |name: &str, id: u32, len: u64| Entry {
            name: name.as_bytes().to_vec(),
            meta: Meta::default(),
            node: Node::File { id: FileId(id), len },
        };
        let tree = Tree {
            root: Meta::default(),
            entries: vec![
                file("a", 1, 3000),
                Entry {
                    name: b"d".to_vec(),
                    meta: Meta::default(),
                    node: Node::Dir(vec![file("b", 2, 10)]),
                },
            ],
        };
        let p = plan::plan(&tree, &Options::new(Revision::V2_50, "F", UnixTime::default()))
            .expect("plan");
        let mut out = std::io::Cursor::new(Vec::new());
        UdfStream::new(&p, |_: FileId, _: u64, b: &mut [u8]| {
            b.fill(0x5A);
            Ok(())
        })
        .write_sparse(&mut out)
        .expect("emit");
        out.into_inner()
    })
}

fuzz_target!(|data: &[u8]| {
    // The first 4 bytes pick where the fuzz bytes go; the rest overwrite the image there.
    let Some((at, patch)) = data.split_first_chunk::<4>() else {
        return;
    };
    let mut image = base().to_vec();
    let at = u32::from_le_bytes(*at) as usize % image.len();
    let n = patch.len().min(image.len() - at);
    image[at..at + n].copy_from_slice(&patch[..n]);
    let blocks = image.len() as u64 / 2048;
    if let Ok(mut vol) = Volume::open(&image[..], blocks) {
        if let Ok(entries) = vol.entries() {
            for e in &entries {
                let mut buf = [0u8; 4096];
                let len = (e.size as usize).min(buf.len());
                let _ = vol.read_at(e, 0, &mut buf[..len]);
            }
        }
    }
    // A bare image of fuzz bytes, too.
    let _ = Volume::open(data, data.len() as u64 / 2048).map(|mut v| v.entries());
});
