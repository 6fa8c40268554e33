//! The committed include/tspar.h must be exactly what the pinned cbindgen
//! generates from the sources. Run with TSPAR_BLESS=1 to regenerate it.

use std::path::Path;

#[test]
fn header_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml parses");
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = root.join("include").join("tspar.h");
    if std::env::var_os("TSPAR_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/tspar.h");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/tspar.h is stale: regenerate it with TSPAR_BLESS=1 cargo test --test header"
    );
}
