//! Zone ids by zone name, learnt once per run: the hosted APIs address a zone by an id
//! that has to be looked up from its name (Route 53's hosted zone id, Cloudflare's zone
//! id), and a sync asks for it several times (read, backup, write, re-read).

use std::collections::HashMap;
use std::sync::Mutex;

use nsync_core::Name;

#[derive(Debug, Default)]
pub struct ZoneIds(Mutex<HashMap<Name, String>>);

impl ZoneIds {
    pub fn get(&self, origin: &Name) -> Option<String> {
        self.0.lock().ok()?.get(origin).cloned()
    }

    pub fn remember(&self, origin: &Name, id: impl Into<String>) {
        if let Ok(mut ids) = self.0.lock() {
            ids.insert(origin.clone(), id.into());
        }
    }
}
