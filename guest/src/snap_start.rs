//! SnapStart's runtime hooks, as Lambda's runtimes offer them (Python's
//! `snapshot_restore_py.register_before_snapshot` / `register_after_restore`, Java's CRaC).
//!
//! With SnapStart, `init` runs once, when the function is published; the environment is then
//! snapshotted and every cold start resumes from that snapshot. What init made is shared by
//! every restored environment: a random seed, a UUID, a timestamp, a connection. Make what
//! must be unique per environment in an after-restore hook, and close what must not be cloned
//! in a before-snapshot hook.
//!
//! ```no_run
//! use std::sync::Mutex;
//!
//! static ENVIRONMENT_ID: Mutex<String> = Mutex::new(String::new());
//!
//! fn init() -> Result<(), lambda_sim_guest::Error> {
//!     lambda_sim_guest::snap_start::register_after_restore(|| {
//!         *ENVIRONMENT_ID.lock().unwrap() = format!("{:016x}", rand_id());
//!         Ok(())
//!     });
//!     Ok(())
//! }
//! # fn rand_id() -> u64 { 4 }
//! ```
//!
//! Before-snapshot hooks run in the reverse order of their registration, after-restore hooks
//! in their order, as in Python. The SDK itself closes the guest's standard streams and
//! preopened directories before the snapshot and opens them again after a restore: a
//! snapshot holds memory, not the host's handles.

use std::sync::Mutex;

use crate::__private::{HandlerError, to_handler_error};
use crate::{Diagnostic, Error};

/// A registered hook.
type Hook = Box<dyn FnMut() -> Result<(), Error> + Send>;

static BEFORE_SNAPSHOT: Mutex<Vec<Hook>> = Mutex::new(Vec::new());
static AFTER_RESTORE: Mutex<Vec<Hook>> = Mutex::new(Vec::new());

/// Registers a hook run after `init`, before the snapshot is taken (its time is part of the
/// publication's Init Duration).
pub fn register_before_snapshot(hook: impl FnMut() -> Result<(), Error> + Send + 'static) {
    lock(&BEFORE_SNAPSHOT).push(Box::new(hook));
}

/// Registers a hook run in each environment restored from the snapshot, before its first
/// invocation (its time is the Restore Duration; past 10 s the invocation fails with
/// `SnapStartTimeoutException`).
pub fn register_after_restore(hook: impl FnMut() -> Result<(), Error> + Send + 'static) {
    lock(&AFTER_RESTORE).push(Box::new(hook));
}

fn lock(hooks: &Mutex<Vec<Hook>>) -> std::sync::MutexGuard<'_, Vec<Hook>> {
    hooks
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `hooks` (reversed or not) without holding their lock, so that a hook may register
/// another; stops at the first error.
fn run(hooks: &Mutex<Vec<Hook>>, reverse: bool) -> Result<(), HandlerError> {
    let mut taken = std::mem::take(&mut *lock(hooks));
    let result = if reverse {
        taken.iter_mut().rev().try_for_each(|hook| hook())
    } else {
        taken.iter_mut().try_for_each(|hook| hook())
    };
    let mut registered = lock(hooks);
    taken.append(&mut registered);
    *registered = taken;
    result.map_err(|err| to_handler_error(Diagnostic::from(err)))
}

/// The `before-snapshot` export: the hooks, then the guest's handles closed.
pub(crate) fn before_snapshot() -> Result<(), HandlerError> {
    crate::__private::install_panic_hook();
    run(&BEFORE_SNAPSHOT, true)?;
    handles::release();
    Ok(())
}

/// The `after-restore` export: the guest's standard streams opened again, then the hooks.
pub(crate) fn after_restore() -> Result<(), HandlerError> {
    handles::reopen();
    run(&AFTER_RESTORE, false)
}

/// The WASI handles wasi-libc keeps for a process's life: standard streams and preopened
/// directories. A snapshot restores memory but not the host's handle table, so they are
/// released before it and made again after a restore.
#[cfg(target_os = "wasi")]
mod handles {
    use std::io::Write as _;

    unsafe extern "C" {
        fn close(fd: i32) -> i32;
        fn __wasilibc_reset_preopens();
        fn __wasilibc_init_stdio() -> i32;
    }

    pub(super) fn release() {
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        // SAFETY: wasi-libc's own functions, called between invocations with no file of the
        // standard library open on these descriptors; the preopens are found again on next use.
        // The preopens last: `close` loads them first if they are not.
        unsafe {
            for fd in 0..3 {
                close(fd);
            }
            __wasilibc_reset_preopens();
        }
    }

    pub(super) fn reopen() {
        // SAFETY: descriptors 0-2 were closed before the snapshot; this inserts the new
        // environment's streams there, as wasi-libc does at a process's start.
        unsafe {
            __wasilibc_init_stdio();
        }
    }
}

#[cfg(not(target_os = "wasi"))]
mod handles {
    pub(super) fn release() {}
    pub(super) fn reopen() {}
}
