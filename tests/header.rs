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

/// Every name the header defines is tspar's own: a stray `#define NULL -1`
/// or unprefixed constant from an internal module would break or pollute
/// the programs that include it.
#[test]
fn header_defines_only_prefixed_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("include").join("tspar.h")).expect("read include/tspar.h");
    let mut bad = Vec::new();
    for line in text.lines() {
        let name = if let Some(rest) = line.strip_prefix("#define ") {
            rest.split_whitespace().next()
        } else if let Some(rest) = line.strip_prefix("typedef ") {
            match rest.split_once("(*") {
                // A function pointer type: the name is inside `(*name)`.
                Some((_, tail)) => tail.split(')').next(),
                None => rest.trim_end_matches([';', '{', ' ']).split_whitespace().last(),
            }
        } else {
            None
        };
        if let Some(name) = name {
            if !(name.starts_with("TSPAR_") || name.starts_with("tspar_")) {
                bad.push(name.to_string());
            }
        }
    }
    assert!(bad.is_empty(), "include/tspar.h defines unprefixed names: {bad:?}");
}
