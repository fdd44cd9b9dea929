//! A minimal HTTP/1.1 client of the Invoke API: one kept-alive connection, a POST, the whole
//! answer read. What `lambda-sim soak` and the benchmarks drive a server with; not a
//! replacement for an AWS SDK (no signing, no retries).
//!
//! ```no_run
//! use bytes::Bytes;
//! use lambda_sim_server::client::{connect, post};
//!
//! # async fn run() -> std::io::Result<()> {
//! let addr = "127.0.0.1:9001".parse().expect("an address");
//! let mut connection = connect(addr).await?;
//! let event = Bytes::from_static(br#"{"name": "Ada"}"#);
//! let answer = post(&mut connection, addr, "/2015-03-31/functions/hello/invocations", &event).await?;
//! println!("{} {:?}", answer.status(), answer.body());
//! # Ok(())
//! # }
//! ```

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::Request;
use hyper::Response;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A kept-alive HTTP/1.1 connection, as [`connect`] opens it.
pub type Connection = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// A kept-alive HTTP/1.1 connection to `addr` (its driver runs on a task of its own).
pub async fn connect(addr: SocketAddr) -> std::io::Result<Connection> {
    let stream = TcpStream::connect(addr).await?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(connection);
    Ok(sender)
}

/// POSTs `body` to `path` on the connection and reads the whole answer.
pub async fn post(
    sender: &mut Connection,
    addr: SocketAddr,
    path: &str,
    body: &Bytes,
) -> std::io::Result<Response<Bytes>> {
    post_with(sender, addr, path, &[], body).await
}

/// [`post`] with extra headers (`x-amz-invocation-type: Event`, for instance).
pub async fn post_with(
    sender: &mut Connection,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &Bytes,
) -> std::io::Result<Response<Bytes>> {
    let mut request = Request::post(path).header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(body.clone()))
        .map_err(std::io::Error::other)?;
    sender.ready().await.map_err(std::io::Error::other)?;
    let response = sender
        .send_request(request)
        .await
        .map_err(std::io::Error::other)?;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    Ok(Response::from_parts(parts, body))
}
