//! The bare HTTP baselines `serve` is measured against: bare hyper answering canned bytes (the
//! HTTP floor), and bare hyper in front of bare wasmtime (the same work as `serve` without the
//! simulator). The client that drives both is `lambda_sim_server::client`.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::baseline::Bare;

/// An answer to repeat: a body and its headers.
#[derive(Clone, Debug)]
pub struct Canned {
    /// The body.
    pub body: Bytes,
    /// The headers (no `date` or `content-length`: hyper sets those).
    pub headers: Vec<(String, String)>,
}

impl Canned {
    /// What `response` carried.
    pub fn of(response: &Response<Bytes>) -> Self {
        Canned {
            body: response.body().clone(),
            headers: response
                .headers()
                .iter()
                .filter(|(k, _)| *k != "date" && *k != "content-length")
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
                .collect(),
        }
    }

    fn response(&self, body: Bytes) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(body));
        for (k, v) in &self.headers {
            if let (Ok(k), Ok(v)) = (
                hyper::header::HeaderName::from_bytes(k.as_bytes()),
                hyper::header::HeaderValue::from_str(v),
            ) {
                response.headers_mut().insert(k, v);
            }
        }
        response
    }
}

/// Bare hyper: reads each request's body and answers `canned`. Runs until the task is dropped.
pub async fn canned_server(listener: TcpListener, canned: Canned) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let canned = canned.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                    let canned = canned.clone();
                    async move {
                        let _ = request.into_body().collect().await;
                        Ok::<_, Infallible>(canned.response(canned.body.clone()))
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Bare hyper in front of bare wasmtime: each connection gets a warm instance of its own
/// and each request is one `handle` call; headers as `canned`.
pub async fn wasmtime_server(listener: TcpListener, bare: Arc<Bare>, canned: Canned) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (bare, canned) = (bare.clone(), canned.clone());
        tokio::spawn(async move {
            let Ok(instance) = bare.warm_instance().await else {
                return;
            };
            let instance = Arc::new(tokio::sync::Mutex::new(instance));
            let service =
                hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                    let (bare, canned, instance) = (bare.clone(), canned.clone(), instance.clone());
                    async move {
                        let body = request
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let mut guard = instance.lock().await;
                        let (store, bindings) = &mut *guard;
                        let output = match bindings
                            .call_handle(&mut *store, &body, &bare.context)
                            .await
                        {
                            Ok(Ok(bytes)) => Bytes::from(bytes),
                            Ok(Err(err)) => Bytes::from(err.error_message),
                            Err(err) => Bytes::from(err.to_string()),
                        };
                        drop(guard);
                        Ok::<_, Infallible>(canned.response(output))
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
