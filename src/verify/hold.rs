//! `verify --watch --hold N`: a finding is raised only once it has been seen in N runs in
//! a row, and cleared only once it has been gone for N runs in a row, so one lost answer
//! on a bad link or one slow transfer does not page anyone and then clear itself.

use std::collections::{BTreeSet, HashMap};

pub struct Hold {
    rounds: u32,
    raised: BTreeSet<String>,
    /// Runs in a row a finding's state has differed from what is raised.
    streaks: HashMap<String, u32>,
}

impl Hold {
    pub fn new(rounds: u32) -> Hold {
        Hold {
            rounds: rounds.max(1),
            raised: BTreeSet::new(),
            streaks: HashMap::new(),
        }
    }

    /// Takes one run's findings (their identities); returns those raised and those
    /// cleared by it.
    pub fn round(&mut self, now: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
        let (mut raised, mut cleared) = (Vec::new(), Vec::new());
        let all: BTreeSet<String> = now.union(&self.raised).cloned().collect();
        for id in all {
            let seen = now.contains(&id);
            if seen == self.raised.contains(&id) {
                self.streaks.remove(&id);
                continue;
            }
            let streak = self.streaks.entry(id.clone()).or_insert(0);
            *streak += 1;
            if *streak >= self.rounds {
                self.streaks.remove(&id);
                if seen {
                    self.raised.insert(id.clone());
                    raised.push(id);
                } else {
                    self.raised.remove(&id);
                    cleared.push(id);
                }
            }
        }
        // A finding seen once and gone again before it was raised starts over.
        self.streaks
            .retain(|id, _| now.contains(id) != self.raised.contains(id));
        (raised, cleared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn one_round_raises_and_clears_at_once() {
        let mut h = Hold::new(1);
        assert_eq!(h.round(&set(&["a"])), (vec!["a".into()], vec![]));
        assert_eq!(h.round(&set(&["a"])), (vec![], vec![]));
        assert_eq!(h.round(&set(&[])), (vec![], vec!["a".into()]));
    }

    #[test]
    fn a_finding_must_hold_before_it_is_raised_and_cleared() {
        let mut h = Hold::new(3);
        // A blip: seen twice, then gone: never raised.
        assert_eq!(h.round(&set(&["blip"])), (vec![], vec![]));
        assert_eq!(h.round(&set(&["blip"])), (vec![], vec![]));
        assert_eq!(h.round(&set(&[])), (vec![], vec![]));
        assert_eq!(
            h.round(&set(&["blip"])),
            (vec![], vec![]),
            "the count started over"
        );
        // Real: three runs in a row.
        let real = set(&["real"]);
        assert_eq!(h.round(&real), (vec![], vec![]));
        assert_eq!(h.round(&real), (vec![], vec![]));
        assert_eq!(h.round(&real), (vec!["real".into()], vec![]));
        // Gone once: still raised; gone three times: cleared.
        assert_eq!(h.round(&set(&[])), (vec![], vec![]));
        assert_eq!(h.round(&real), (vec![], vec![]));
        assert_eq!(h.round(&set(&[])), (vec![], vec![]));
        assert_eq!(h.round(&set(&[])), (vec![], vec![]));
        assert_eq!(h.round(&set(&[])), (vec![], vec!["real".into()]));
    }
}
