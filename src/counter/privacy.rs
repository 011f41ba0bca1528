//! What the counter learns about a visitor, and what it forgets.
//!
//! The service never stores an IP address or a user agent. It keeps only a salted SHA-256
//! digest of them, and the salt changes every Vietnamese day (it lives in the store so that
//! several instances agree, and old salts are deleted), so a digest cannot be linked to an
//! address, nor today's visitor to yesterday's. This module also decides which user agents
//! are robots that must not be counted.

use sha2::{Digest, Sha256};

/// Random bytes mixed into every digest of one Vietnamese day.
pub(crate) type Salt = [u8; 32];

/// A salted digest standing for one client or visitor; it is all the store ever sees.
pub(crate) type Fingerprint = [u8; 16];

/// A fresh random salt.
pub(crate) fn new_salt() -> anyhow::Result<Salt> {
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt)
        .map_err(|e| anyhow::anyhow!("the system random number generator failed: {e}"))?;
    Ok(salt)
}

/// The digest of a client address, used for the rate limit.
pub(crate) fn client_fingerprint(salt: &Salt, ip: &str) -> Fingerprint {
    digest(salt, &[b"client", ip.as_bytes()])
}

/// The digest of a visitor (address and user agent), used for distinct "online now" counts.
pub(crate) fn visitor_fingerprint(salt: &Salt, ip: &str, user_agent: &str) -> Fingerprint {
    digest(salt, &[b"visitor", ip.as_bytes(), user_agent.as_bytes()])
}

fn digest(salt: &Salt, parts: &[&[u8]]) -> Fingerprint {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    for part in parts {
        // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
        hasher.update((part.len() as u32).to_be_bytes());
        hasher.update(part);
    }
    let full = hasher.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// Substrings (lower case) of user agents that belong to robots, crawlers, link previewers,
/// monitoring probes and command-line clients. Such requests are answered but not counted.
const ROBOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "scrapy",
    "facebookexternalhit",
    "facebookcatalog",
    "embedly",
    "preview",
    "lighthouse",
    "pingdom",
    "uptime",
    "monitor",
    "curl/",
    "wget/",
    "python-",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww",
    "httpclient",
    "node-fetch",
    "axios/",
    "postmanruntime",
    "phantomjs",
];

/// Whether a user agent is a robot (an empty or missing user agent counts as one).
pub(crate) fn is_robot(user_agent: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    ua.is_empty() || ROBOT_MARKERS.iter().any(|marker| ua.contains(marker))
}

/// Hex form of a fingerprint, for the Redis store.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_are_recognised() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; coccocbot-web/1.0; +http://help.coccoc.com/searchengine)",
            "facebookexternalhit/1.1",
            "curl/8.5.0",
            "python-requests/2.31",
            "",
        ] {
            assert!(is_robot(ua), "{ua:?} should be a robot");
        }
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert!(!is_robot(firefox));
    }

    #[test]
    fn fingerprints_change_with_the_salt_and_hide_the_address() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let ip = "203.0.113.7";
        assert_eq!(client_fingerprint(&a, ip), client_fingerprint(&a, ip));
        assert_ne!(client_fingerprint(&a, ip), client_fingerprint(&b, ip));
        assert_ne!(
            visitor_fingerprint(&a, ip, "x"),
            visitor_fingerprint(&a, ip, "y")
        );
        assert!(!hex(&client_fingerprint(&a, ip)).contains("203"));
    }
}
