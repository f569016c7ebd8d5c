//! A provider's own keys from nsync.toml, checked against its kind's schema by the config
//! reader and handed to the provider crate, which builds its typed config from them.
//! Each value keeps where it was written so a provider's own checks can point at a line.

use std::collections::BTreeMap;

use crate::diag::Location;
use crate::provider::{ErrorKind, ProviderError};
use crate::secret::{Secret, SecretRef};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    Str(String),
    Secret(SecretRef),
    Bool(bool),
    Int(i64),
    Strings(Vec<String>),
    Table(Settings),
}

/// The keys of one provider table (or of a table inside it, such as `tsig`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<String, (Setting, Location)>,
}

impl Settings {
    pub fn insert(&mut self, key: &str, value: Setting, location: Location) {
        self.values.insert(key.to_string(), (value, location));
    }

    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.values.get(key).map(|(v, _)| v)
    }

    pub fn location(&self, key: &str) -> Option<&Location> {
        self.values.get(key).map(|(_, l)| l)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Setting::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn secret(&self, key: &str) -> Option<&SecretRef> {
        match self.get(key) {
            Some(Setting::Secret(s)) => Some(s),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Setting::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Setting::Int(i)) => Some(*i),
            _ => None,
        }
    }

    pub fn strings(&self, key: &str) -> Option<&[String]> {
        match self.get(key) {
            Some(Setting::Strings(s)) => Some(s),
            _ => None,
        }
    }

    /// Every secret reference, with its key path (`tsig.secret`) and where it is written.
    pub fn secrets(&self) -> Vec<(String, &SecretRef, &Location)> {
        let mut out = Vec::new();
        for (key, (value, at)) in &self.values {
            match value {
                Setting::Secret(r) => out.push((key.clone(), r, at)),
                Setting::Table(t) => out.extend(
                    t.secrets()
                        .into_iter()
                        .map(|(k, r, at)| (format!("{key}.{k}"), r, at)),
                ),
                _ => {}
            }
        }
        out
    }

    /// A string key the provider cannot do without; `nsync check` has already said so
    /// with the line, so this is the build's last word.
    pub fn require_str(&self, provider: &str, key: &str) -> Result<&str, ProviderError> {
        self.str(key).ok_or_else(|| missing(provider, key))
    }

    /// The secret behind the reference at `key` (`None` when the key is not set). An
    /// unset variable or unreadable file is this run's configuration error.
    pub fn resolve_secret(
        &self,
        provider: &str,
        key: &str,
    ) -> Result<Option<Secret>, ProviderError> {
        let Some(reference) = self.secret(key) else {
            return Ok(None);
        };
        reference.resolve().map(Some).map_err(|e| {
            ProviderError::new(
                ErrorKind::Config,
                provider,
                format!("read `{key}`"),
                format!("{e}; set it, then run again"),
            )
        })
    }

    /// [`Settings::resolve_secret`] for a key the provider cannot do without.
    pub fn require_secret(&self, provider: &str, key: &str) -> Result<Secret, ProviderError> {
        self.resolve_secret(provider, key)?
            .ok_or_else(|| missing(provider, key))
    }

    pub fn table(&self, key: &str) -> Option<&Settings> {
        match self.get(key) {
            Some(Setting::Table(t)) => Some(t),
            _ => None,
        }
    }
}

fn missing(provider: &str, key: &str) -> ProviderError {
    ProviderError::new(
        ErrorKind::Permanent,
        provider,
        "read config",
        format!("`{key}` is missing; add it to the provider's table in nsync.toml"),
    )
}
