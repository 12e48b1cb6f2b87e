//! Writes the seed corpus of the `connection` fuzz target: for every
//! scenario of `ferrotls_test::replay`, the recorded bytes each side
//! receives, behind the selector byte the target reads (bits 0-2: the
//! scenario; bit 3: the side, set for the server; bits 6-7: how the bytes
//! are fed, 0 for all at once).
//!
//! `cargo run -p ferrotls-test --example replay_corpus -- fuzz/corpus`

use std::path::PathBuf;

use ferrotls_test::replay::{record, Scenario};

fn main() -> std::io::Result<()> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    for (index, scenario) in Scenario::ALL.into_iter().enumerate() {
        let t = record(scenario);
        let index = u8::try_from(index).unwrap_or(0);
        let dir = root.join("connection");
        std::fs::create_dir_all(&dir)?;
        for (side, selector, bytes) in [
            ("client", index, &t.to_client),
            ("server", index | 0x08, &t.to_server),
        ] {
            let mut seed = vec![selector];
            seed.extend_from_slice(bytes);
            let path = dir.join(format!("{side}-{scenario:?}"));
            std::fs::write(&path, seed)?;
            println!("{}", path.display());
        }
    }
    Ok(())
}
