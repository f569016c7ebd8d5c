//! A provider kind, as its own crate declares it: the name written in nsync.toml, its keys
//! there (checked offline by `nsync check` before any provider is built), what it can
//! store, the value checks its keys need beyond their type, and how to build it. The
//! binary keeps one list of kinds (its registry) and never names a kind anywhere else.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::provider::{Capabilities, Provider, ProviderError};
use crate::settings::Settings;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Str,
    /// A file or folder; a relative path starts at nsync.toml's folder.
    Path,
    /// A secret reference (`env:NAME` or `file:PATH`), never a literal.
    Secret,
    Bool,
    Int,
    Strings,
    Table(&'static [KeySpec]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    pub key: &'static str,
    pub ty: KeyType,
    pub required: bool,
    /// A value to show in "add `key = ...`" hints.
    pub example: &'static str,
}

pub const fn key(key: &'static str, ty: KeyType, required: bool, example: &'static str) -> KeySpec {
    KeySpec {
        key,
        ty,
        required,
        example,
    }
}

/// Checks of a provider table's values beyond their types (an address that must be an
/// IP, a URL that must be https), run offline. Arguments: the provider's name in
/// nsync.toml, its settings, where to put what is wrong.
pub type CheckValues = fn(&str, &Settings, &mut Vec<Diagnostic>);

/// What a kind says about one rrset of a zone it would store, beyond its types and TTLs:
/// data its servers refuse or would store otherwise. `nsync check`, `plan` and `sync`
/// report it at the record's line, naming the provider and the record (so `message`
/// says only what is wrong with it).
pub struct RecordProblem {
    /// An error (the provider cannot store it exactly: check and plan refuse the zone) or
    /// a warning (it may refuse it, depending on its configuration).
    pub refused: bool,
    pub message: String,
    pub hint: &'static str,
}

/// A kind's check of one rrset.
pub type CheckRrset = fn(&crate::zone::Rrset) -> Option<RecordProblem>;

/// For kinds that store every rrset of the types they declare.
pub fn no_rrset_checks(_: &crate::zone::Rrset) -> Option<RecordProblem> {
    None
}

/// Builds the provider named (first argument) from its checked settings.
pub type Build = fn(&str, &Settings) -> Result<Arc<dyn Provider>, ProviderError>;

pub struct Kind {
    pub name: &'static str,
    pub summary: &'static str,
    pub keys: &'static [KeySpec],
    pub capabilities: Capabilities,
    pub check_values: CheckValues,
    pub check_rrset: CheckRrset,
    pub build: Build,
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kind").field("name", &self.name).finish()
    }
}

/// For kinds whose keys need no check beyond their types.
pub fn no_value_checks(_: &str, _: &Settings, _: &mut Vec<Diagnostic>) {}

/// A value check's finding at `key` of the provider's table, if the key is written there.
pub fn bad_value(
    diags: &mut Vec<Diagnostic>,
    settings: &Settings,
    provider: &str,
    key: &str,
    message: String,
    hint: &str,
) {
    if let Some(at) = settings.location(key) {
        diags.push(
            Diagnostic::error(at.clone(), format!("provider {provider}: {message}"))
                .with_hint(hint),
        );
    }
}
