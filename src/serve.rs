//! `cong serve`: build the portal and serve it on this machine for preview.
//!
//! The preview is built with the server's own address as its base URL, into a
//! temporary folder unless `--output` is given, so `public/` is never touched by a
//! preview. Only files inside that folder are served.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::cli::ServeArgs;
use crate::site::Site;

/// Runs the preview server until interrupted.
pub fn run(args: &ServeArgs) -> Result<()> {
    let addr: SocketAddr = format!("{}:{}", args.bind, args.port)
        .parse()
        .with_context(|| format!("`{}` is not an address to listen on", args.bind))?;
    let scratch = tempfile::Builder::new()
        .prefix("cong-serve-")
        .tempdir()
        .context("failed to create a temporary folder")?;
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| scratch.path().join("site"));
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    let base_url = format!("http://{host}:{}", addr.port());
    let options = crate::commands::options(&args.source, Some(&output), Some(&base_url))?;
    let site = Site::build(options)?;
    site.write()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("failed to listen on {addr}"))?;
        let files =
            ServeDir::new(&output).not_found_service(ServeFile::new(output.join("404.html")));
        let app = Router::new().fallback_service(files);
        log::info!("serving the portal at {base_url}/ (press Ctrl+C to stop)");
        if args.open {
            if let Err(e) = open::that(format!("{base_url}/")) {
                log::warn!("could not open a browser: {e}");
            }
        }
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the preview server stopped")
    })
}
