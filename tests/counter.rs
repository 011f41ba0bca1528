//! `cong counter serve` as a real process on a loopback port, with a real SQLite file or a
//! real `redis-server` started here: counts, privacy, robots, rate limit, targets, origins,
//! size bounds, health, survival of `kill -9`, two instances sharing Redis, and Redis going
//! away and coming back.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

mod counter_support;

const TARGETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/counter/cong-counter.json"
);
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const ORIGIN: &str = "https://donghy.thainguyen.gov.vn";

// ---------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client: one connection per request, `Connection: close`.

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// Sends one request; an `Err` means no complete answer came back.
fn send(
    addr: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_answer(&raw)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "incomplete answer"))
}

fn parse_answer(raw: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        let mut out = String::new();
        let mut rest = body;
        loop {
            let (size, after) = rest.split_once("\r\n")?;
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            out.push_str(after.get(..size)?);
            rest = after.get(size + 2..)?;
        }
        out
    } else {
        body.to_string()
    };
    Some(Answer {
        status,
        headers,
        body,
    })
}

/// The given headers, with a browser's user agent unless they name one.
fn with_agent<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut headers = extra.to_vec();
    if !extra
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("user-agent"))
    {
        headers.push(("User-Agent", BROWSER));
    }
    headers
}

fn post_hit(addr: &str, body: &str, extra: &[(&str, &str)]) -> Answer {
    let mut headers = with_agent(extra);
    headers.push(("Content-Type", "text/plain"));
    send(addr, "POST", "/hit", &headers, body.as_bytes()).expect("POST /hit")
}

fn get(addr: &str, target: &str, extra: &[(&str, &str)]) -> Answer {
    let headers = with_agent(extra);
    send(addr, "GET", target, &headers, b"").expect("GET")
}

fn stats(addr: &str, query: &str) -> Value {
    let answer = get(addr, &format!("/stats?{query}"), &[]);
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.json()
}

// ---------------------------------------------------------------------------------------
// Processes: the service and redis-server.

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

struct Service {
    child: Child,
    addr: String,
    log: PathBuf,
}

/// `cong counter serve` on a free loopback port, with the test's targets file.
fn counter_serve() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cong"));
    command.args([
        "counter",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--targets",
        TARGETS,
    ]);
    command
}

impl Service {
    fn start(store: &[String], extra: &[&str], log: PathBuf) -> Service {
        let log_file = std::fs::File::create(&log).expect("log file");
        let mut child = counter_serve()
            .args(store)
            .args(extra)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start cong counter serve");
        let Some(addr) = counter_support::listen_address(&mut child) else {
            let _ = child.kill();
            panic!(
                "the service did not start; its log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        Service { child, addr, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn kill_9(&mut self) {
        let status = Command::new("kill")
            .args(["-9", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let _ = self.child.wait();
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_server() -> PathBuf {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("redis-server"));
    for candidate in candidates {
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("redis-server is not installed; run `bash tests/setup.sh` to install it");
}

struct Redis {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Redis {
    fn start(dir: &Path, port: u16) -> Redis {
        let child = Command::new(redis_server())
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--rdbcompression", "no"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let redis = Redis {
            child,
            port,
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while redis.command("PING").as_deref() != Some("+PONG") {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on port {port}"
            );
            thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Sends an inline command and returns the first reply line.
    fn command(&self, command: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        stream.write_all(format!("{command}\r\n").as_bytes()).ok()?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).ok()?;
        Some(line.trim().to_string())
    }

    /// Everything Redis holds, as the bytes of a fresh uncompressed RDB dump.
    fn dump(&self) -> Vec<u8> {
        assert_eq!(self.command("SAVE").as_deref(), Some("+OK"));
        std::fs::read(self.dir.join("dump.rdb")).expect("dump.rdb")
    }

    fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill_9();
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(100));
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

// ---------------------------------------------------------------------------------------
// The suite run against each store.

/// Counts, robots, targets, origins, size bounds and health, then checks that the store
/// holds neither the client's address nor its user agent.
fn count_and_privacy_suite(store: &[String], dir: &Path, dump: impl Fn() -> Vec<u8>) {
    let service = Service::start(
        store,
        &["--trust-proxy", "--rate-limit", "0"],
        dir.join("service.log"),
    );
    let addr = service.addr.as_str();
    let ip = "203.0.113.77";
    let agent = "Mozilla/5.0 (X11; Linux x86_64) PrivacyProbe/7.3";
    let me = [("X-Forwarded-For", ip), ("User-Agent", agent)];

    // Counting.
    assert_eq!(get(addr, "/health", &[]).json()["status"], "ok");
    for _ in 0..3 {
        let answer = post_hit(addr, r#"{"unit":"/","path":"/tin-tuc/abc/"}"#, &me);
        assert_eq!(answer.status, 204, "{answer:?}");
    }
    let answer = send(
        addr,
        "POST",
        "/hit?unit=/&path=/gioi-thieu/",
        &[("User-Agent", BROWSER), ("X-Forwarded-For", "198.51.100.1")],
        b"",
    )
    .unwrap();
    assert_eq!(answer.status, 204, "hits may come as query parameters");
    assert_eq!(
        post_hit(addr, r#"{"unit":"/xa-hoa-thuong/"}"#, &me).status,
        204,
        "a unit alone can be hit"
    );
    let unit = stats(addr, "unit=/");
    assert_eq!(unit["unit"], "/");
    for (field, want) in [
        ("total", 4),
        ("today", 4),
        ("week", 4),
        ("month", 4),
        ("yesterday", 0),
        ("online", 2),
    ] {
        assert_eq!(unit[field], want, "{field} in {unit}");
    }
    assert!(unit["as_of"].as_str().unwrap().ends_with("+07:00"));
    let page = stats(addr, "unit=/&path=/tin-tuc/abc/");
    assert_eq!(
        (page["total"].as_u64(), page["today"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(stats(addr, "unit=/xa-hoa-thuong/")["total"], 1);

    // Robots are answered but not counted.
    for robot in [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; coccocbot-web/1.0)",
        "curl/8.5.0",
    ] {
        let answer = post_hit(addr, r#"{"unit":"/"}"#, &[("User-Agent", robot)]);
        assert_eq!(answer.status, 202, "{robot}: {answer:?}");
        assert_eq!(answer.json()["counted"], false);
    }
    assert_eq!(stats(addr, "unit=/")["total"], 4, "robots must not count");

    // Only known units and pages.
    let answer = post_hit(addr, r#"{"unit":"/xa-khong-co/"}"#, &[]);
    assert_eq!(answer.status, 404);
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("unknown unit"));
    let answer = post_hit(
        addr,
        r#"{"unit":"/xa-hoa-thuong/","path":"/tin-tuc/abc/"}"#,
        &[],
    );
    assert_eq!(answer.status, 404, "a page of another unit: {answer:?}");
    assert_eq!(
        post_hit(addr, r#"{"unit":"/","path":"/khong-co/"}"#, &[]).status,
        404
    );
    assert_eq!(get(addr, "/stats?unit=/khong/", &[]).status, 404);
    assert_eq!(post_hit(addr, "not json", &[]).status, 400);

    // Origins.
    let answer = post_hit(
        addr,
        r#"{"unit":"/"}"#,
        &[("Origin", "https://evil.example")],
    );
    assert_eq!(answer.status, 403);
    assert!(answer.header("access-control-allow-origin").is_none());
    assert_eq!(
        get(addr, "/stats?unit=/", &[("Origin", "https://evil.example")]).status,
        403
    );
    let answer = post_hit(addr, r#"{"unit":"/"}"#, &[("Origin", ORIGIN)]);
    assert_eq!(answer.status, 204);
    assert_eq!(answer.header("access-control-allow-origin"), Some(ORIGIN));
    let answer = send(
        addr,
        "OPTIONS",
        "/hit",
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    )
    .unwrap();
    assert_eq!(answer.status, 204, "{answer:?}");
    assert_eq!(answer.header("access-control-allow-origin"), Some(ORIGIN));
    assert!(answer
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("POST")));
    let preflight = send(
        addr,
        "OPTIONS",
        "/hit",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    )
    .unwrap();
    assert_eq!(preflight.status, 403);

    // Size bounds.
    let big = format!(r#"{{"unit":"/","path":"{}"}}"#, "a".repeat(4096));
    assert_eq!(post_hit(addr, &big, &[]).status, 413);
    let long = format!("/stats?unit=/&path={}", "b".repeat(2000));
    assert_eq!(get(addr, &long, &[]).status, 414);
    assert_eq!(stats(addr, "unit=/")["total"], 5);

    // Privacy: the store must hold neither the address nor the user agent.
    let bytes = dump();
    assert!(bytes.len() > 100, "the store dump looks empty");
    assert!(!contains(&bytes, ip), "the raw IP address was stored");
    assert!(
        !contains(&bytes, "PrivacyProbe"),
        "the user agent was stored"
    );
    assert!(
        contains(&bytes, "tin-tuc/abc"),
        "the dump should hold the page paths"
    );
    assert!(!service.log().contains(ip), "the raw IP address was logged");
}

fn sqlite_files(db: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        if let Ok(mut b) = std::fs::read(PathBuf::from(name)) {
            bytes.append(&mut b);
        }
    }
    bytes
}

#[test]
fn sqlite_counts_and_keeps_no_address() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("counter.sqlite");
    let store = vec!["--db".to_string(), db.display().to_string()];
    count_and_privacy_suite(&store, dir.path(), || sqlite_files(&db));

    // The snapshot command reads the same file.
    let output = Command::new(env!("CARGO_BIN_EXE_cong"))
        .args(["counter", "snapshot", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let snapshot: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(snapshot["units"]["/"]["total"], 5, "{snapshot}");
    assert_eq!(snapshot["units"]["/xa-hoa-thuong/"]["total"], 1);
    assert!(snapshot["as_of"].as_str().unwrap().ends_with("+07:00"));
}

#[test]
fn redis_counts_and_keeps_no_address() {
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path(), free_port());
    count_and_privacy_suite(&strings(&["--redis", &redis.url()]), dir.path(), || {
        redis.dump()
    });
}

#[test]
fn rate_limit_answers_429() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.sqlite").display().to_string();
    let service = Service::start(
        &strings(&["--db", &db]),
        &["--rate-limit", "5", "--trust-proxy"],
        dir.path().join("service.log"),
    );
    let me = [("X-Forwarded-For", "198.51.100.20")];
    let statuses: Vec<u16> = (0..8)
        .map(|_| post_hit(&service.addr, r#"{"unit":"/"}"#, &me).status)
        .collect();
    assert_eq!(statuses, [204, 204, 204, 204, 204, 429, 429, 429]);
    let other = [("X-Forwarded-For", "198.51.100.21")];
    assert_eq!(
        post_hit(&service.addr, r#"{"unit":"/"}"#, &other).status,
        204,
        "another client has its own bucket"
    );
    assert_eq!(
        get(&service.addr, "/stats?unit=/", &other).json()["total"],
        6
    );
}

#[test]
fn serve_refuses_an_unusable_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = counter_serve()
        .arg("--db")
        .arg(dir.path().join("missing-folder/c.sqlite"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("failed to open the counter database"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------
// Nothing lost.

#[derive(Default)]
struct Burst {
    acknowledged: Mutex<Vec<String>>,
    /// Sent, but the answer never came: counted or not, nobody knows yet.
    uncertain: Mutex<Vec<String>>,
}

#[test]
fn sqlite_keeps_every_acknowledged_hit_through_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("counter.sqlite").display().to_string();
    let store = strings(&["--db", &db]);
    let mut service = Service::start(&store, &["--rate-limit", "0"], dir.path().join("a.log"));
    let addr = service.addr.clone();

    let burst = Arc::new(Burst::default());
    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|t| {
            let (addr, burst, acked, stop) =
                (addr.clone(), burst.clone(), acked.clone(), stop.clone());
            thread::spawn(move || {
                for i in 0..20_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let id = format!("t{t}-{i}");
                    let body = format!(r#"{{"unit":"/","path":"/tin-tuc/abc/","id":"{id}"}}"#);
                    let Ok(mut stream) = TcpStream::connect(&addr) else {
                        break; // the service is gone: nothing more was sent
                    };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let request = format!(
                        "POST /hit HTTP/1.1\r\nHost: x\r\nUser-Agent: {BROWSER}\r\n\
                         Connection: close\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let mut raw = Vec::new();
                    let answer = stream
                        .write_all(request.as_bytes())
                        .and_then(|()| stream.read_to_end(&mut raw))
                        .ok()
                        .and_then(|_| parse_answer(&raw));
                    match answer {
                        Some(a) if (200..300).contains(&a.status) => {
                            burst.acknowledged.lock().unwrap().push(id);
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                        Some(a) => panic!("unexpected answer {a:?}"),
                        None => burst.uncertain.lock().unwrap().push(id),
                    }
                }
            })
        })
        .collect();

    wait_for("600 acknowledged hits", || {
        acked.load(Ordering::SeqCst) >= 600
    });
    service.kill_9();
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.join().unwrap();
    }
    let acknowledged: HashSet<String> = burst.acknowledged.lock().unwrap().drain(..).collect();
    let uncertain: Vec<String> = burst.uncertain.lock().unwrap().drain(..).collect();

    let service = Service::start(&store, &["--rate-limit", "0"], dir.path().join("b.log"));
    let total = stats(&service.addr, "unit=/")["total"].as_u64().unwrap() as usize;
    eprintln!(
        "after kill -9: {} acknowledged, {} in flight, total {total}",
        acknowledged.len(),
        uncertain.len()
    );
    assert!(
        total >= acknowledged.len() && total <= acknowledged.len() + uncertain.len(),
        "total {total}, acknowledged {}, in flight at the kill {}",
        acknowledged.len(),
        uncertain.len()
    );

    // Hits in flight at the kill are sent again with the same id, as the page script does:
    // each is counted now or answered "already counted", never twice.
    let mut acknowledged_total = acknowledged.len();
    for id in &uncertain {
        let body = format!(r#"{{"unit":"/","path":"/tin-tuc/abc/","id":"{id}"}}"#);
        let answer = post_hit(&service.addr, &body, &[]);
        assert!(matches!(answer.status, 202 | 204), "{answer:?}");
        acknowledged_total += 1;
    }
    let total = stats(&service.addr, "unit=/")["total"].as_u64().unwrap() as usize;
    assert_eq!(
        total, acknowledged_total,
        "the total must equal the acknowledged hits exactly"
    );
    assert_eq!(
        stats(&service.addr, "unit=/&path=/tin-tuc/abc/")["total"]
            .as_u64()
            .unwrap() as usize,
        acknowledged_total
    );
}

// ---------------------------------------------------------------------------------------
// Redis: sharing and outages.

#[test]
fn two_services_sharing_redis_agree() {
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(dir.path(), free_port());
    let store = strings(&["--redis", &redis.url()]);
    let extra = ["--rate-limit", "0", "--trust-proxy"];
    let a = Service::start(&store, &extra, dir.path().join("a.log"));
    let b = Service::start(&store, &extra, dir.path().join("b.log"));
    let workers: Vec<_> = [a.addr.clone(), b.addr.clone()]
        .into_iter()
        .enumerate()
        .map(|(n, addr)| {
            thread::spawn(move || {
                for i in 0..50 {
                    let ip = format!("198.51.100.{}", 10 + (i % 5));
                    let body = format!(r#"{{"unit":"/","path":"/tin-tuc/xyz/","id":"s{n}-{i}"}}"#);
                    let answer = post_hit(&addr, &body, &[("X-Forwarded-For", &ip)]);
                    assert_eq!(answer.status, 204, "{answer:?}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let from_a = stats(&a.addr, "unit=/&path=/tin-tuc/xyz/");
    let from_b = stats(&b.addr, "unit=/&path=/tin-tuc/xyz/");
    for field in ["online", "today", "week", "month", "total"] {
        assert_eq!(
            from_a[field], from_b[field],
            "{field}: {from_a} vs {from_b}"
        );
    }
    assert_eq!(from_a["total"], 100);
    assert_eq!(
        from_a["online"], 5,
        "both instances share one salt, so five addresses are five visitors"
    );
    // A retry of a hit counted by one instance is recognised by the other.
    let answer = post_hit(
        &b.addr,
        r#"{"unit":"/","path":"/tin-tuc/xyz/","id":"s0-7"}"#,
        &[],
    );
    assert_eq!(answer.status, 202);
    assert_eq!(stats(&a.addr, "unit=/")["total"], 100);
}

#[test]
fn redis_outage_gives_503_and_the_service_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut redis = Redis::start(dir.path(), port);
    let mut service = Service::start(
        &strings(&["--redis", &redis.url()]),
        &["--rate-limit", "0"],
        dir.path().join("service.log"),
    );
    let addr = service.addr.clone();
    assert_eq!(post_hit(&addr, r#"{"unit":"/"}"#, &[]).status, 204);

    redis.kill_9();
    let health = get(&addr, "/health", &[]);
    assert_eq!(health.status, 503, "{health:?}");
    assert_eq!(health.json()["status"], "unavailable");
    let started = Instant::now();
    let hit = post_hit(&addr, r#"{"unit":"/"}"#, &[]);
    assert_eq!(hit.status, 503, "{hit:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a hit must fail fast while Redis is away"
    );
    assert_eq!(get(&addr, "/stats?unit=/", &[]).status, 503);
    assert!(service.is_running(), "the service must stay up");
    let log = service.log();
    assert!(
        log.contains(&format!("Redis at `{}` is unreachable", redis.url())),
        "no clear log line:\n{log}"
    );

    let _redis = Redis::start(dir.path(), port);
    wait_for("the service to see Redis again", || {
        get(&addr, "/health", &[]).status == 200
    });
    assert_eq!(post_hit(&addr, r#"{"unit":"/"}"#, &[]).status, 204);
    assert_eq!(
        stats(&addr, "unit=/")["total"],
        1,
        "the new Redis started empty"
    );
    assert!(
        service.log().contains("reachable again"),
        "{}",
        service.log()
    );
    assert!(service.is_running());
}
