//! What the tests of nsync's crates share: a small deterministic random generator, so a
//! property test gets data nobody would write by hand and never flakes. Not part of the
//! API (hidden from the docs).

/// xorshift64: fast, seedable, good enough to vary test data.
#[doc(hidden)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// From `min` to `max` random octets.
    pub fn bytes(&mut self, min: u64, max: u64) -> Vec<u8> {
        let len = min + self.below(max - min + 1);
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    /// From `min` to `max` octets drawn from `alphabet`.
    pub fn from(&mut self, alphabet: &[u8], min: u64, max: u64) -> Vec<u8> {
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len() as u64) as usize])
            .collect()
    }
}
