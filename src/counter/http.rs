//! The HTTP face of the counter: `POST /hit`, `GET /stats`, `GET /health`, and the checks
//! every request passes before a store is touched.
//!
//! A request is refused, in this order, when its query string is too long (414), its
//! `Origin` is not one of the portal's (403), its body is too large (413), its client has
//! used up its rate limit (429), it is malformed (400), or it names a unit or page the
//! built site does not have (404). A hit from a robot is answered 202 and not counted.
//! Everything else reaches the store, and a store that cannot be reached gives 503. The
//! answers for allowed origins carry CORS headers, and preflight `OPTIONS` requests are
//! answered here.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::period::{vietnam_day, vietnam_timestamp};
use super::privacy::{client_fingerprint, is_robot, visitor_fingerprint, Salt};
use super::ratelimit::RateLimiter;
use super::store::{Counts, Hit, Recorded, Store};
use super::targets::{Refusal, Targets};

/// The largest request body accepted, in bytes.
pub(crate) const MAX_BODY: usize = 2 * 1024;
/// The longest query string accepted, in bytes.
pub(crate) const MAX_QUERY: usize = 1024;
/// The longest hit id accepted.
const MAX_ID: usize = 64;

/// Everything a request handler needs.
pub(crate) struct App<S> {
    pub(crate) store: S,
    pub(crate) targets: Targets,
    pub(crate) limiter: RateLimiter,
    pub(crate) trust_proxy: bool,
    salt: RwLock<Option<(NaiveDate, Salt)>>,
    store_ok: AtomicBool,
}

impl<S: Store> App<S> {
    pub(crate) fn new(store: S, targets: Targets, limiter: RateLimiter, trust_proxy: bool) -> Self {
        App {
            store,
            targets,
            limiter,
            trust_proxy,
            salt: RwLock::new(None),
            store_ok: AtomicBool::new(true),
        }
    }

    /// The salt of the current Vietnamese day, from the cache or the store.
    async fn salt(&self) -> anyhow::Result<Salt> {
        let today = vietnam_day(Utc::now());
        if let Some((day, salt)) = *self.salt.read().unwrap_or_else(|e| e.into_inner()) {
            if day == today {
                return Ok(salt);
            }
        }
        let salt = self.store.salt(today).await?;
        *self.salt.write().unwrap_or_else(|e| e.into_inner()) = Some((today, salt));
        Ok(salt)
    }

    /// Notes the outcome of a store call, logging once when the store goes away and once
    /// when it is back, rather than once per request.
    fn store_outcome<T>(&self, result: anyhow::Result<T>) -> Result<T, Refused> {
        match result {
            Ok(value) => {
                if !self.store_ok.load(Ordering::Relaxed)
                    && !self.store_ok.swap(true, Ordering::SeqCst)
                {
                    log::info!(
                        "{} is reachable again; counting resumes",
                        self.store.describe()
                    );
                }
                Ok(value)
            }
            Err(err) => {
                if self.store_ok.swap(false, Ordering::SeqCst) {
                    log::error!(
                        "{} is unreachable: {err:#}; answering 503 until it is back",
                        self.store.describe()
                    );
                } else {
                    log::debug!("store still unreachable: {err:#}");
                }
                Err(Refused(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the counter store is unreachable; try again later".into(),
                ))
            }
        }
    }

    /// Identifies the client, applies the rate limit, and returns the day's salt.
    async fn admit(&self, peer: SocketAddr, headers: &HeaderMap) -> Result<Client, Refused> {
        let salt = self.salt().await;
        let salt = self.store_outcome(salt)?;
        let ip = self.client_ip(peer, headers);
        if !self.limiter.allow(&client_fingerprint(&salt, &ip)) {
            return Err(Refused(
                StatusCode::TOO_MANY_REQUESTS,
                "too many requests from this client; slow down".into(),
            ));
        }
        let user_agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Ok(Client {
            ip,
            user_agent,
            salt,
        })
    }

    /// The socket peer, or with `--trust-proxy` the last address in `X-Forwarded-For`
    /// (the one the reverse proxy added).
    fn client_ip(&self, peer: SocketAddr, headers: &HeaderMap) -> String {
        if self.trust_proxy {
            let forwarded = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(str::trim)
                .filter(|v| !v.is_empty());
            if let Some(ip) = forwarded {
                return ip.to_string();
            }
        }
        peer.ip().to_string()
    }

    fn check_target(&self, unit: &str, path: Option<&str>) -> Result<(), Refused> {
        self.targets.check(unit, path).map_err(|refusal| {
            let message = match refusal {
                Refusal::UnknownUnit => format!("unknown unit `{unit}`"),
                Refusal::UnknownPath => format!(
                    "`{}` is not a page of unit `{unit}`",
                    path.unwrap_or_default()
                ),
            };
            Refused(StatusCode::NOT_FOUND, message)
        })
    }
}

/// Who is asking, known only for the length of one request.
struct Client {
    ip: String,
    user_agent: String,
    salt: Salt,
}

/// Builds the router with every route and check.
pub(crate) fn router<S: Store>(app: Arc<App<S>>) -> Router {
    Router::new()
        .route("/hit", post(hit::<S>))
        .route("/stats", get(stats::<S>))
        .route("/health", get(health::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            guard_origin::<S>,
        ))
        .with_state(app)
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// A request refused with a status and a message for the client.
struct Refused(StatusCode, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let mut response = error(self.0, &self.1);
        if self.0 == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        response
    }
}

/// Bounds the query string, refuses foreign origins, answers preflight requests and adds
/// CORS headers for allowed origins.
async fn guard_origin<S: Store>(
    State(app): State<Arc<App<S>>>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().query().is_some_and(|q| q.len() > MAX_QUERY) {
        return error(
            StatusCode::URI_TOO_LONG,
            &format!("the query string is longer than {MAX_QUERY} bytes"),
        );
    }
    let origin = request.headers().get(header::ORIGIN).cloned();
    if let Some(origin) = &origin {
        let text = origin.to_str().unwrap_or("");
        if !app.targets.origin_allowed(text) {
            return error(
                StatusCode::FORBIDDEN,
                &format!(
                    "origin `{text}` is not allowed; add it to `allowed_origins` in the \
                     targets file or pass --allowed-origin"
                ),
            );
        }
    }
    let mut response = if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::ALLOW,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        if origin.is_some() {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, OPTIONS"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
        }
        response
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}

/// The body (or query string) of `POST /hit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HitRequest {
    unit: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

async fn hit<S: Store>(
    State(app): State<Arc<App<S>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let client = match app.admit(peer, &headers).await {
        Ok(client) => client,
        Err(refused) => return refused.into_response(),
    };
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        Query::<HitRequest>::try_from_uri(&uri)
            .map(|q| q.0)
            .map_err(|e| e.body_text())
    } else {
        serde_json::from_slice::<HitRequest>(&body).map_err(|e| e.to_string())
    };
    let request = match request {
        Ok(request) => request,
        Err(reason) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "send a JSON body like {{\"unit\":\"/\",\"path\":\"/tin-tuc/abc/\"}} \
                     (or the same as query parameters): {reason}"
                ),
            )
        }
    };
    if let Some(id) = &request.id {
        let valid = !id.is_empty()
            && id.len() <= MAX_ID
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("`id` must be 1 to {MAX_ID} letters, digits, `-` or `_`"),
            );
        }
    }
    if let Err(refused) = app.check_target(&request.unit, request.path.as_deref()) {
        return refused.into_response();
    }
    if is_robot(&client.user_agent) {
        return not_counted("robot");
    }
    let hit = Hit {
        visitor: visitor_fingerprint(&client.salt, &client.ip, &client.user_agent),
        unit: request.unit,
        path: request.path,
        id: request.id,
        at: Utc::now(),
    };
    let recorded = app.store.record(hit).await;
    match app.store_outcome(recorded) {
        Ok(Recorded::Counted) => StatusCode::NO_CONTENT.into_response(),
        Ok(Recorded::Duplicate) => not_counted("already counted"),
        Err(refused) => refused.into_response(),
    }
}

fn not_counted(reason: &str) -> Response {
    (
        StatusCode::ACCEPTED,
        Json(json!({ "counted": false, "reason": reason })),
    )
        .into_response()
}

/// The query string of `GET /stats`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsRequest {
    unit: String,
    #[serde(default)]
    path: Option<String>,
}

/// The answer of `GET /stats`.
#[derive(Debug, Serialize)]
pub(crate) struct StatsAnswer {
    pub(crate) unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    #[serde(flatten)]
    pub(crate) counts: Counts,
    pub(crate) as_of: String,
}

async fn stats<S: Store>(
    State(app): State<Arc<App<S>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Err(refused) = app.admit(peer, &headers).await {
        return refused.into_response();
    }
    let request = match Query::<StatsRequest>::try_from_uri(&uri) {
        Ok(Query(request)) => request,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "use /stats?unit=/&path=/tin-tuc/abc/ (path optional): {}",
                    e.body_text()
                ),
            )
        }
    };
    if let Err(refused) = app.check_target(&request.unit, request.path.as_deref()) {
        return refused.into_response();
    }
    let now = Utc::now();
    let counts = app
        .store
        .counts(&request.unit, request.path.as_deref(), now)
        .await;
    match app.store_outcome(counts) {
        Ok(counts) => {
            let answer = StatsAnswer {
                unit: request.unit,
                path: request.path,
                counts,
                as_of: vietnam_timestamp(now),
            };
            let mut response = Json(answer).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(refused) => refused.into_response(),
    }
}

async fn health<S: Store>(State(app): State<Arc<App<S>>>) -> Response {
    let result = app.store.health().await;
    match app.store_outcome(result) {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "reason": format!("{} is unreachable", app.store.describe()),
            })),
        )
            .into_response(),
    }
}
