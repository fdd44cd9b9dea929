//! `/tmp`'s size: the function's ephemeral storage (512 MB by default). A guest's write that
//! would take its `/tmp` past the size fails with "No space left on device" (`ENOSPC`), as a
//! full disk does on Lambda, and the environment stays usable.
//!
//! wasmtime-wasi has no quota of its own, so the three ways a guest writes into a file
//! (`descriptor.write`, and the output streams of `write-via-stream` and `append-via-stream`,
//! which WASI p1 adapters use) are replaced in the linker by versions that take the bytes from
//! a [`Quota`](crate::quota::Quota) first. The quota counts bytes written and never subtracts (an overwrite or a
//! deleted file is not seen): when that count would pass the size, it measures the directory
//! (apparent file sizes, so the same on every host filesystem) and refuses only if the real
//! usage plus the write does not fit. Measuring happens only near the limit.
//!
//! What the guest reads depends on its libc: `descriptor.write` and WASI p1 adapters report
//! `ENOSPC`, but wasi-libc's WASI p2 streams (Rust's `wasm32-wasip2` std) turn every stream
//! failure into `EIO` ("I/O error"). So the refusal is also written to the function's log,
//! once until space is freed: `[lambda-sim] no space left on /tmp: ...`.

use bytes::Bytes;
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime_wasi::filesystem::{Descriptor, WasiFilesystemView as _};
use wasmtime_wasi::p2::bindings::filesystem::types::{self, ErrorCode, HostDescriptor as _};
use wasmtime_wasi::p2::{DynOutputStream, OutputStream, Pollable, StreamError, StreamResult};

use crate::host::Host;
use crate::quota::{SharedQuota, reserve};

/// The interface whose write functions are replaced, at the version wasmtime-wasi defines
/// (imports of older 0.2 versions resolve to it).
const FILESYSTEM_TYPES: &str = "wasi:filesystem/types@0.2.12";

/// Linux's and macOS's `ENOSPC`: wasmtime-wasi maps it to `error-code.insufficient-space`.
const ENOSPC: i32 = 28;

fn no_space() -> StreamError {
    StreamError::LastOperationFailed(wasmtime::Error::new(std::io::Error::from_raw_os_error(
        ENOSPC,
    )))
}

/// A file's output stream that takes each write from the quota first.
struct LimitedStream {
    inner: DynOutputStream,
    quota: SharedQuota,
}

impl LimitedStream {
    fn take(&self, bytes: usize) -> StreamResult<()> {
        if reserve(&self.quota, bytes) {
            Ok(())
        } else {
            Err(no_space())
        }
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LimitedStream {
    async fn ready(&mut self) {
        self.inner.ready().await;
    }
}

#[wasmtime_wasi::async_trait]
impl OutputStream for LimitedStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.take(bytes.len())?;
        self.inner.write(bytes)
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.inner.flush()
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        self.inner.check_write()
    }

    async fn blocking_write_and_flush(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.take(bytes.len())?;
        self.inner.blocking_write_and_flush(bytes).await
    }

    fn write_zeroes(&mut self, count: usize) -> StreamResult<()> {
        self.take(count)?;
        self.inner.write_zeroes(count)
    }

    async fn write_ready(&mut self) -> StreamResult<usize> {
        self.inner.write_ready().await
    }

    async fn cancel(&mut self) {
        self.inner.cancel().await;
    }
}

/// Replaces the stream just made for `fd` by one that asks the quota.
fn limit(
    table: &mut ResourceTable,
    stream: Resource<DynOutputStream>,
    quota: SharedQuota,
) -> wasmtime::Result<Resource<DynOutputStream>> {
    let inner = table.delete(stream)?;
    let limited: DynOutputStream = Box::new(LimitedStream { inner, quota });
    Ok(table.push(limited)?)
}

type StreamAnswer = (Result<Resource<DynOutputStream>, ErrorCode>,);

/// Puts the quota in front of every file write wasmtime-wasi's filesystem offers.
pub(crate) fn add_to_linker(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut fs = linker.instance(FILESYSTEM_TYPES)?;
    fs.func_wrap(
        "[method]descriptor.write-via-stream",
        |mut store: StoreContextMut<'_, Host>,
         (fd, offset): (Resource<Descriptor>, u64)|
         -> wasmtime::Result<StreamAnswer> {
            let host = store.data_mut();
            let quota = host.quota.clone();
            let mut view = host.filesystem();
            match view.write_via_stream(fd, offset) {
                Ok(stream) => Ok((Ok(limit(view.table, stream, quota)?),)),
                Err(err) => Ok((Err(types::Host::convert_error_code(&mut view, err)?),)),
            }
        },
    )?;
    fs.func_wrap(
        "[method]descriptor.append-via-stream",
        |mut store: StoreContextMut<'_, Host>,
         (fd,): (Resource<Descriptor>,)|
         -> wasmtime::Result<StreamAnswer> {
            let host = store.data_mut();
            let quota = host.quota.clone();
            let mut view = host.filesystem();
            match view.append_via_stream(fd) {
                Ok(stream) => Ok((Ok(limit(view.table, stream, quota)?),)),
                Err(err) => Ok((Err(types::Host::convert_error_code(&mut view, err)?),)),
            }
        },
    )?;
    fs.func_wrap_async(
        "[method]descriptor.write",
        |mut store: StoreContextMut<'_, Host>,
         (fd, buf, offset): (Resource<Descriptor>, Vec<u8>, u64)| {
            Box::new(async move {
                let host = store.data_mut();
                if !reserve(&host.quota, buf.len()) {
                    return Ok((Err(ErrorCode::InsufficientSpace),));
                }
                let mut view = host.filesystem();
                match view.write(fd, buf, offset).await {
                    Ok(written) => Ok((Ok(written),)),
                    Err(err) => Ok((Err(types::Host::convert_error_code(&mut view, err)?),)),
                }
            })
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}
