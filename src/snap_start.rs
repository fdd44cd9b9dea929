//! SnapStart in the CLI: a function's publication (its Init and snapshot) printed as Lambda
//! logs it, with what the snapshot costs to keep; a restored cold start's breakdown.

use std::time::Duration;

use lambda_sim_runtime::{Function, InitPhase, PRICE_PER_CACHED_GB_SECOND};

/// Publishes `function` (SnapStart on) and hands each line to `print`: `INIT_START`, what init
/// printed, `INIT_REPORT`, then lambda-sim's note on the snapshot.
pub async fn publish(
    function: &Function,
    mut print: impl FnMut(&str),
) -> Result<(), lambda_sim_runtime::Error> {
    let Some(publication) = function.publish().await? else {
        return Ok(());
    };
    for line in publication.log_lines() {
        print(&line);
    }
    let gb = f64::from(function.config().memory_size_mb) / 1024.0;
    print(&format!(
        "lambda-sim: `{}` published with SnapStart: a {:.1} MB snapshot, taken in {:.0} ms; \
         cached at ${:.6} an hour ({} MB, 3 hours at least)",
        function.config().name,
        publication.snapshot_bytes as f64 / 1e6,
        publication.snapshot_time.as_secs_f64() * 1000.0,
        gb * PRICE_PER_CACHED_GB_SECOND * 3600.0,
        function.config().memory_size_mb,
    ));
    Ok(())
}

/// The breakdown of a cold start restored from a snapshot.
pub fn restore_note(init: &InitPhase) -> String {
    let c = &init.cold_start;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "lambda-sim: cold start {:.2} ms = ENI {:.2} ms + placement {:.2} ms + restore {:.2} ms \
         (after-restore hooks {:.2} ms)",
        ms(c.total()),
        ms(c.eni),
        ms(c.placement),
        ms(c.function_init),
        ms(init.restore_hooks.unwrap_or_default()),
    )
}
