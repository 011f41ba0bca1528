//! Browser tests in headless Chromium (Debian's `chromium`, driven by playwright-core),
//! set up by `tests/setup.sh`.

mod common;

use common::*;

struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn preview_reloads_shows_errors_and_follows_the_editor() {
    let dir = portal(None);
    let (child, port) = start_preview(dir.path());
    let server = Running(child);
    let out = node_script(
        "preview.mjs",
        &[
            &format!("http://127.0.0.1:{port}"),
            dir.path().to_str().unwrap(),
        ],
    );
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && log.contains("\nok"),
        "the browser test failed:\n{log}"
    );
    drop(server);
}
