//! Helpers shared by the integration tests: fixture portals in temporary folders and
//! the `cong` binary.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixed "now" of every test build, so that nothing goes stale.
pub const NOW: &str = "2026-11-23T12:00:00+07:00";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The `basic` portal, with the files of `overlay` (a folder under fixtures/) on top.
pub fn portal(overlay: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures().join("basic"), dir.path());
    if let Some(o) = overlay {
        copy_tree(&fixtures().join(o), dir.path());
    }
    dir
}

pub fn cong(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cong"))
        .args(args)
        .env("RUST_LOG", "info")
        .output()
        .expect("failed to run cong")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Builds `root` into `root/public` with the fixed clock; panics with the messages on failure.
pub fn build(root: &Path, extra: &[&str]) -> PathBuf {
    let root_s = root.to_str().unwrap();
    let mut args = vec!["build", "--root", root_s, "--now", NOW];
    args.extend_from_slice(extra);
    let out = cong(&args);
    assert!(out.status.success(), "build failed:\n{}", stderr(&out));
    root.join("public")
}

pub fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A tool the suite needs, from the environment `tests/setup.sh` prepares; the test fails
/// (never skips) when it is missing.
pub fn required_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("{name} is not set: run the suite with `bash tests/setup.sh`, which installs the checkers and sets it"),
    }
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something listens on `port` of the loopback interface.
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Runs a script of tests/browser/ with node, headless Chromium and the npm packages
/// `tests/setup.sh` installs.
pub fn node_script<S: AsRef<std::ffi::OsStr>>(script: &str, args: &[S]) -> Output {
    let modules = required_env("CONG_NODE_MODULES");
    let chromium = required_env("CONG_CHROMIUM");
    Command::new("node")
        .arg(fixtures().parent().unwrap().join("browser").join(script))
        .args(args)
        .env("CONG_NODE_MODULES", modules)
        .env("CONG_CHROMIUM", chromium)
        .output()
        .expect("node is needed for the browser tests: run `bash tests/setup.sh`")
}

/// `cong serve` of `root` on a free loopback port, with the fixed clock; returns once it
/// answers.
pub fn start_preview(root: &Path) -> (std::process::Child, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_cong"))
        .args([
            "serve",
            "--root",
            root.to_str().unwrap(),
            "--port",
            &port.to_string(),
            "--now",
            NOW,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("failed to start cong serve");
    wait_for_port(port, "the preview server");
    (child, port)
}

/// Asserts that both `cong build` and `cong check` fail on the portal at `root` with a
/// message containing `expected`, and that the failed build wrote no `public/`.
#[allow(dead_code)]
pub fn assert_fails_with(root: &std::path::Path, case: &str, expected: &str) {
    let path = root.to_str().unwrap();
    for command in ["build", "check"] {
        let out = cong(&[command, "--root", path, "--now", NOW]);
        assert!(!out.status.success(), "{case}: `cong {command}` succeeded");
        let err = stderr(&out);
        assert!(
            err.contains(expected),
            "{case}: `cong {command}` said:\n{err}\nexpected:\n{expected}"
        );
    }
    assert!(
        !root.join("public").exists(),
        "{case}: a failed build wrote public/"
    );
}

/// Runs the Nu HTML Checker (`CONG_VNU_JAR`) on `paths` (files, or folders of which the
/// HTML files are checked) and asserts that it finds no error.
#[allow(dead_code)]
pub fn assert_valid_html<P: AsRef<std::ffi::OsStr>>(paths: &[P]) {
    let jar = required_env("CONG_VNU_JAR");
    let result = std::process::Command::new("java")
        .args([
            "-jar",
            &jar,
            "--skip-non-html",
            "--errors-only",
            "--format",
            "gnu",
        ])
        .args(paths)
        .output()
        .expect("java is needed for the Nu HTML Checker: run `bash tests/setup.sh`");
    let report = String::from_utf8_lossy(&result.stderr).into_owned()
        + &String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success() && report.trim().is_empty(),
        "the Nu HTML Checker found errors:\n{report}"
    );
}
