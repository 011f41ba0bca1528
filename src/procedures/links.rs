//! `cong check --external`: requests every procedure's link on the public-service
//! portals, a few at a time, and reports those that answer with an error or not at all.
//!
//! Each address is asked once with HEAD and, when that answers with an error (some
//! portals refuse HEAD), once more with GET; redirects are followed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::messages;
use crate::error::InputError;

/// How many links are requested at the same time.
const AT_ONCE: usize = 4;

/// A procedure's link and where it comes from.
#[derive(Debug, Clone)]
pub struct ExternalLink {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub url: String,
}

/// Requests every link (each address once) and returns a problem for each place that
/// uses an address that answers with an error or does not answer within `timeout`.
pub fn check_all(links: &[ExternalLink], timeout: Duration) -> Vec<InputError> {
    let mut by_url: BTreeMap<&str, Vec<&ExternalLink>> = BTreeMap::new();
    for link in links {
        by_url.entry(&link.url).or_default().push(link);
    }
    let urls: Vec<&str> = by_url.keys().copied().collect();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .user_agent(concat!("cong/", env!("CARGO_PKG_VERSION"), " (link check)"))
        .build()
        .into();
    let next = AtomicUsize::new(0);
    let problems: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE.min(urls.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(url) = urls.get(i) else { break };
                log::debug!("checking {url}");
                if let Err(problem) = request(&agent, url) {
                    if let Ok(mut all) = problems.lock() {
                        all.push((i, problem));
                    }
                }
            });
        }
    });
    let mut problems = problems.into_inner().unwrap_or_default();
    problems.sort();
    problems
        .into_iter()
        .flat_map(|(i, problem)| {
            by_url[urls[i]]
                .iter()
                .map(move |l| InputError::at(&l.file, l.line, problem.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Asks for `url` with HEAD, then GET when HEAD gets an error status.
fn request(agent: &ureq::Agent, url: &str) -> Result<(), String> {
    let status = match agent.head(url).call() {
        Ok(response) => response.status().as_u16(),
        Err(err) => return Err(messages::link_unreachable(url, &err.to_string())),
    };
    if status < 400 {
        return Ok(());
    }
    match agent.get(url).call() {
        Ok(response) if response.status().as_u16() < 400 => Ok(()),
        Ok(response) => Err(messages::link_status(url, response.status().as_u16())),
        Err(err) => Err(messages::link_unreachable(url, &err.to_string())),
    }
}
