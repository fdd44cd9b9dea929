//! What this process holds, read from `/proc/self` (Linux): resident memory and open files,
//! for the figures of `soak`.

/// The resident set, in KB (`VmRSS`), if `/proc` tells it.
pub fn rss_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The open file descriptors, if `/proc` tells them.
pub fn open_fds() -> Option<usize> {
    std::fs::read_dir("/proc/self/fd").ok().map(|d| d.count())
}
