//! What one run of nsync was asked to do, resolved once from the command line (in
//! commands/): where nsync.toml is, which zones and providers are selected, what zone
//! files may read, how loud to be. Everything below commands/ takes this instead of
//! clap's flags, so it can be built in tests and by the demo without a command line.

use std::path::PathBuf;

use nsync_core::Name;
use nsync_core::name::NameText;

use crate::report::Log;

/// `--zone` and `--provider`: where to look and write (never what is written).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub zones: Vec<String>,
    pub providers: Vec<String>,
}

impl Selection {
    /// Whether `--zone` selects this zone (all when none is given). Zone names compare as
    /// DNS names: case and the final dot do not matter.
    pub fn zone(&self, origin: &Name) -> bool {
        self.zones.is_empty()
            || self.zones.iter().any(|w| {
                let w = w.to_ascii_lowercase();
                let w = if w.ends_with('.') { w } else { format!("{w}.") };
                origin.to_text().to_ascii_lowercase() == w
            })
    }

    /// Whether `--provider` selects this provider (all when none is given).
    pub fn provider(&self, name: &str) -> bool {
        self.providers.is_empty() || self.providers.iter().any(|p| p == name)
    }
}

#[derive(Clone, Debug)]
pub struct Invocation {
    /// nsync.toml: `--config`, else `$NSYNC_CONFIG`, else ./nsync.toml.
    pub config_path: PathBuf,
    pub selection: Selection,
    /// `--allow-include-outside`: zone files may `$INCLUDE` outside nsync.toml's folder.
    pub allow_include_outside: bool,
    pub log: Log,
    /// `-q`: no progress display.
    pub quiet: bool,
}

impl Invocation {
    /// A run with default settings on `config_path` (tests, the demo).
    pub fn on(config_path: PathBuf) -> Invocation {
        Invocation {
            config_path,
            selection: Selection::default(),
            allow_include_outside: false,
            log: Log::new(true, 0, crate::report::style::ColorChoice::Never),
            quiet: true,
        }
    }
}
