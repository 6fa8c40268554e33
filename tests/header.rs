//! The committed include/tspar.h must be exactly what the pinned cbindgen
//! generates from the sources, plus what cbindgen cannot see: the version
//! macros (from Cargo.toml) and the error codes (from the one list in
//! src/error.rs, which a macro expands). Run with TSPAR_BLESS=1 to
//! regenerate it.

use std::path::Path;

use tspar::error::Error;

/// The lines written after the header's includes: the version of the
/// crate and every error code, each under its message.
fn version_and_error_codes() -> String {
    let mut s = String::from(
        "\n// The version of this header (tspar_version() gives the version of the library\n\
         // loaded at run time; a program may check that the two agree).\n",
    );
    for (part, value) in [
        ("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        s += &format!("#define TSPAR_VERSION_{part} {value}\n");
    }
    s += "\n// Error codes, < 0. The numbers are stable: never reused, never renumbered.\n\
          // tspar_strerror(code) gives the message written above each one.\n";
    for e in Error::ALL {
        s += &format!("\n// {e}\n#define {} ({})\n", e.c_name(), e.code());
    }
    s
}

/// Puts every negative constant cbindgen writes in parentheses, so that
/// `5-TSPAR_NULL` is 6 and not a syntax error.
fn parenthesise_negatives(header: &str) -> String {
    let mut out = String::with_capacity(header.len() + 64);
    for line in header.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        match body.strip_prefix("#define ").and_then(|rest| rest.split_once(' ')) {
            Some((name, value)) if value.starts_with('-') && value[1..].bytes().all(|b| b.is_ascii_digit()) => {
                out += &format!("#define {name} ({value})\n");
            }
            _ => out += line,
        }
    }
    out
}

fn generate(root: &Path, exclude: &[String]) -> Vec<u8> {
    let mut config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml parses");
    config.export.exclude.extend(exclude.iter().cloned());
    config.after_includes = Some(version_and_error_codes());
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    parenthesise_negatives(std::str::from_utf8(&out).expect("header is UTF-8")).into_bytes()
}

/// The name a `typedef` line defines (the text after `typedef `).
fn typedef_name(rest: &str) -> Option<&str> {
    match rest.split_once("(*") {
        // A function pointer type: the name is inside `(*name)`.
        Some((_, tail)) => tail.split(')').next(),
        None => rest.trim_end_matches([';', '{', ' ']).split_whitespace().last(),
    }
}

/// The names a header defines that are not tspar's own (`TSPAR_*`,
/// `tspar_*`): constants and types of internal modules, which cbindgen
/// sees because they are public in the Rust crate.
fn foreign_names(header: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in header.lines() {
        let name = if let Some(rest) = line.strip_prefix("#define ") {
            rest.split_whitespace().next()
        } else if let Some(rest) = line.strip_prefix("typedef ") {
            typedef_name(rest)
        } else if let Some(rest) = line.strip_prefix("struct ").or_else(|| line.strip_prefix("enum ")) {
            rest.split_whitespace()
                .next()
                .filter(|_| line.trim_end().ends_with('{'))
        } else {
            None
        };
        match name {
            Some(n) if !(n.starts_with("TSPAR_") || n.starts_with("tspar_")) && n != "TSPAR_H" => {
                names.push(n.to_string())
            }
            _ => {}
        }
    }
    names
}

#[test]
fn header_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // cbindgen exports every public constant of the crate; a first pass
    // finds the internal ones and the second leaves them out.
    let first = generate(root, &[]);
    let foreign = foreign_names(std::str::from_utf8(&first).expect("header is UTF-8"));
    let generated = generate(root, &foreign);
    let left = foreign_names(std::str::from_utf8(&generated).expect("header is UTF-8"));
    assert!(
        left.is_empty(),
        "the header still defines names that are not tspar's: {left:?}"
    );
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
            typedef_name(rest)
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

/// The option flags of sort, the integrity check and the tree sequence are
/// in the header under their C names.
#[test]
fn header_defines_option_flags() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("include").join("tspar.h")).expect("read include/tspar.h");
    for name in [
        "TSPAR_CHECK_EDGE_ORDERING (1 << 0)",
        "TSPAR_CHECK_TREES (1 << 7)",
        "TSPAR_CHECK_MUTATION_PARENTS (1 << 8)",
        "TSPAR_NO_CHECK_POPULATION_REFS (1 << 12)",
        "TSPAR_NO_CHECK_INTEGRITY (1 << 29)",
        "TSPAR_TS_INIT_BUILD_INDEXES (1 << 0)",
        "TSPAR_TS_INIT_COMPUTE_MUTATION_PARENTS (1 << 1)",
    ] {
        assert!(text.contains(&format!("#define {name}\n")), "missing: #define {name}");
    }
}

fn header_text() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join("include").join("tspar.h")).expect("read include/tspar.h")
}

/// Every error code is in the header once, with its number in parentheses,
/// and the header defines no other TSPAR_ERR_ name.
#[test]
fn header_defines_every_error_code() {
    let text = header_text();
    let defined: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("#define TSPAR_ERR_"))
        .collect();
    assert_eq!(defined.len(), Error::ALL.len(), "one #define per error code");
    for e in Error::ALL {
        let line = format!("#define {} ({})\n", e.c_name(), e.code());
        assert_eq!(text.matches(&line).count(), 1, "missing or repeated: {line}");
    }
}

/// No constant of the header is a bare negative number.
#[test]
fn header_negative_constants_are_parenthesised() {
    let text = header_text();
    let bare: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("#define ") && l.split_whitespace().nth(2).is_some_and(|v| v.starts_with('-')))
        .collect();
    assert!(bare.is_empty(), "negative constants without parentheses: {bare:?}");
    assert!(text.contains("#define TSPAR_NULL (-1)\n"));
}

/// The version macros are the crate's version.
#[test]
fn header_defines_the_version() {
    let text = header_text();
    let version: Vec<String> = ["MAJOR", "MINOR", "PATCH"]
        .iter()
        .map(|part| {
            let prefix = format!("#define TSPAR_VERSION_{part} ");
            let line = text.lines().find(|l| l.starts_with(&prefix));
            line.unwrap_or_else(|| panic!("missing TSPAR_VERSION_{part}"))[prefix.len()..].to_string()
        })
        .collect();
    assert_eq!(version.join("."), env!("CARGO_PKG_VERSION"));
}
