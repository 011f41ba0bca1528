//! Browser tests in headless Chromium (Debian's `chromium`, driven by playwright-core),
//! set up by `tests/setup.sh`.

mod common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn node_script(script: &str, args: &[&str]) -> std::process::Output {
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

#[test]
fn preview_reloads_shows_errors_and_follows_the_editor() {
    let dir = portal(None);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Running(
        Command::new(env!("CARGO_BIN_EXE_cong"))
            .args([
                "serve",
                "--root",
                dir.path().to_str().unwrap(),
                "--port",
                &port.to_string(),
                "--now",
                NOW,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the preview server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
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
