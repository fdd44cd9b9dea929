//! A guest waiting is not a guest computing: Lambda's CPU quota (a share of a vCPU below
//! 1,769 MB) counts the time a function runs, not the time it sleeps or waits on I/O. A guest
//! blocks in `wasi:io/poll` (`poll`, `pollable.block`: a timer, `time.sleep`, a JavaScript
//! `setTimeout`), so both are replaced in the linker by versions that tell the throttle: the
//! CPU used up to the wait is counted when it starts, and the guest counts as resumed when it
//! ends. Without this, a 5 ms sleep at 128 MB was billed as CPU and paid back in pauses
//! (a Duration of 80 ms).

use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource};
use wasmtime_wasi::p2::DynPollable;
use wasmtime_wasi::p2::bindings::io::poll::{Host as _, HostPollable as _};

use crate::host::Host;

/// The interface whose blocking functions are replaced, at the version wasmtime-wasi defines
/// (imports of older 0.2 versions resolve to it).
const POLL: &str = "wasi:io/poll@0.2.12";

pub(crate) fn add_to_linker(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut poll = linker.instance(POLL)?;
    poll.func_wrap_async(
        "poll",
        |mut store: StoreContextMut<'_, Host>, (pollables,): (Vec<Resource<DynPollable>>,)| {
            Box::new(async move {
                let host = store.data_mut();
                host.wait_starts();
                let ready = host.table.poll(pollables).await;
                host.wait_ends();
                Ok((ready?,))
            })
        },
    )?;
    poll.func_wrap_async(
        "[method]pollable.block",
        |mut store: StoreContextMut<'_, Host>, (pollable,): (Resource<DynPollable>,)| {
            Box::new(async move {
                let host = store.data_mut();
                host.wait_starts();
                let done = host.table.block(pollable).await;
                host.wait_ends();
                done
            })
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}
