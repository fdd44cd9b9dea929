//! The baselines lambda-sim's benchmarks race against, on this machine: the handler world on
//! bare wasmtime ([`baseline::Bare`]: no limiter, no `/tmp`, no bookkeeping), and bare hyper
//! answering canned bytes or calling bare wasmtime ([`http_baseline`]). The criterion benches
//! (`cargo bench -p lambda-sim-benches`) and `lambda-sim-bench` (one table of every figure
//! next to its target) use them; the shipped `lambda-sim` does not link this crate.
//!
//! ```
//! use bytes::Bytes;
//! use lambda_sim_benches::http_baseline::{Canned, canned_server};
//! use lambda_sim_server::client::{connect, post};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! // The HTTP floor: bare hyper answering the same bytes to every request.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let answer = hyper::Response::new(Bytes::from_static(br#"{"ok":true}"#));
//! tokio::spawn(canned_server(listener, Canned::of(&answer)));
//! let mut connection = connect(addr).await?;
//! let got = post(&mut connection, addr, "/anything", &Bytes::from_static(b"{}")).await?;
//! assert_eq!(got.body(), answer.body());
//! # Ok(())
//! # }
//! ```

pub mod baseline;
pub mod http_baseline;
pub mod tools;
