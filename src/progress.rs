//! Progress bars for long runs: shown on a terminal, nothing when stderr is a pipe or a file.

use std::io::IsTerminal as _;

/// A bar of `len` steps drawn with `template` (indicatif's syntax), or `None` when stderr is
/// not a terminal.
pub fn bar(len: u64, template: &str) -> Option<indicatif::ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(len);
        bar.set_style(
            indicatif::ProgressStyle::with_template(template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}
