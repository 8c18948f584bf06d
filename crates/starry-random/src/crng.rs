//! The generator's state, without a lock: a ChaCha20 key, the entropy pool
//! and the reseed bookkeeping.

use blake2::{Blake2s256, Digest};
use chacha20::{
    ChaCha20Rng,
    rand_core::{Rng, SeedableRng},
};

use crate::pool::{Pool, Source};

/// Hashed in front of the old key and the pool's digest at every reseed.
const RESEED_LABEL: &[u8] = b"starry-random reseed v1";

/// The generator: a ChaCha20 key with fast key erasure, fed by a pool.
///
/// Every output request draws 64 bytes of ChaCha20 keystream from the current
/// key: the first 32 replace the key at once, the other 32 key the request's
/// own ChaCha20 stream. Whoever later reads this state learns nothing of what
/// earlier requests returned (forward secrecy), and a long request needs no
/// lock while it runs.
///
/// A reseed replaces the key with `BLAKE2s(label || key || pool digest)`: the
/// new key depends on everything ever mixed in, so a reseed never loses
/// entropy, and an attacker who knew the old key must guess all the new input.
pub(crate) struct Crng {
    key: [u8; 32],
    pool: Pool,
    generation: u64,
    /// The next scheduled reseed (monotonic nanoseconds), once a tick set it.
    pub(crate) next_reseed_nanos: Option<u64>,
    /// The time from a scheduled reseed to the next one.
    pub(crate) reseed_interval_nanos: u64,
}

impl Crng {
    /// A generator that was never seeded (generation 0), its reseed interval
    /// `first_interval_nanos`.
    pub(crate) fn new(first_interval_nanos: u64) -> Self {
        Self {
            key: [0; 32],
            pool: Pool::new(),
            generation: 0,
            next_reseed_nanos: None,
            reseed_interval_nanos: first_interval_nanos,
        }
    }

    /// 0 until the first reseed, then the number of reseeds.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Hashes `bytes` from `source` into the pool; used at the next reseed.
    pub(crate) fn mix(&mut self, source: Source, bytes: &[u8]) {
        self.pool.mix(source, bytes);
    }

    /// Takes a new key from the old one and the pool, empties the pool, and
    /// returns the new generation.
    pub(crate) fn reseed(&mut self) -> u64 {
        self.rekey_from_pool();
        self.generation += 1;
        self.generation
    }

    /// Returns a fresh key for one output request, and erases the key it came
    /// from.
    ///
    /// A generator that was never seeded first stirs whatever its pool holds
    /// into its key (without counting a generation), so that even an early
    /// draw depends on every input so far, not on a constant alone.
    pub(crate) fn request_key(&mut self) -> [u8; 32] {
        if self.generation == 0 && self.pool.inputs() > 0 {
            self.rekey_from_pool();
        }
        let mut stream = ChaCha20Rng::from_seed(self.key);
        let mut request = [0; 32];
        stream.fill_bytes(&mut self.key);
        stream.fill_bytes(&mut request);
        request
    }

    fn rekey_from_pool(&mut self) {
        let mut digest = self.pool.take();
        let mut hash = Blake2s256::new();
        hash.update(RESEED_LABEL);
        hash.update(self.key);
        hash.update(digest);
        self.key = hash.finalize().into();
        digest.fill(0);
    }

    /// The current key, for tests only.
    #[cfg(test)]
    pub(crate) fn key(&self) -> [u8; 32] {
        self.key
    }

    /// A generator on a chosen key, for tests only.
    #[cfg(test)]
    pub(crate) fn with_key(key: [u8; 32]) -> Self {
        let mut crng = Self::new(1);
        crng.key = key;
        crng
    }
}

/// Fills `dest` from the ChaCha20 stream of `key`.
pub(crate) fn fill_from_key(key: [u8; 32], dest: &mut [u8]) {
    ChaCha20Rng::from_seed(key).fill_bytes(dest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(crng: &mut Crng, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        fill_from_key(crng.request_key(), &mut out);
        out
    }

    #[test]
    fn keystream_of_a_known_key_is_chacha20() {
        // ChaCha20 with the all-zero key and nonce: the first 64 bytes of its
        // keystream (RFC 7539 A.1, test vector 1; IETF draft
        // nir-cfrg-chacha20-poly1305-04 test vector 1).
        const ZERO_KEY_BLOCK_0: [u32; 16] = [
            0xade0b876, 0x903df1a0, 0xe56a5d40, 0x28bd8653, 0xb819d2bd, 0x1aed8da0, 0xccef36a8,
            0xc70d778b, 0x7c5941da, 0x8d485751, 0x3fe02477, 0x374ad8b8, 0xf4b8436a, 0x1ca11815,
            0x69b687c3, 0x8665eeb2,
        ];
        let expected: Vec<u8> = ZERO_KEY_BLOCK_0
            .iter()
            .flat_map(|word| word.to_le_bytes())
            .collect();
        let mut crng = Crng::with_key([0; 32]);
        let request = crng.request_key();
        // Fast key erasure: block 0 is the next key, then the request's key.
        assert_eq!(crng.key()[..], expected[..32]);
        assert_eq!(request[..], expected[32..]);
        // And the request's stream is the crate's ChaCha20 on that key.
        let mut out = [0; 16];
        fill_from_key(request, &mut out);
        let mut reference = [0; 16];
        ChaCha20Rng::from_seed(expected[32..].try_into().unwrap()).fill_bytes(&mut reference);
        assert_eq!(out, reference);
    }

    #[test]
    fn different_seeds_give_different_streams() {
        let mut a = Crng::new(1);
        let mut b = Crng::new(1);
        a.mix(Source::BootSeed, b"seed a");
        b.mix(Source::BootSeed, b"seed b");
        a.reseed();
        b.reseed();
        assert_ne!(output(&mut a, 64), output(&mut b, 64));
    }

    #[test]
    fn same_seed_same_stream_and_sources_are_separated() {
        let mut a = Crng::new(1);
        let mut b = Crng::new(1);
        let mut c = Crng::new(1);
        a.mix(Source::BootSeed, b"seed");
        b.mix(Source::BootSeed, b"seed");
        c.mix(Source::UserWrite, b"seed");
        a.reseed();
        b.reseed();
        c.reseed();
        let (a, b, c) = (output(&mut a, 64), output(&mut b, 64), output(&mut c, 64));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn reseed_changes_the_stream_and_counts_generations() {
        let mut a = Crng::new(1);
        let mut b = Crng::new(1);
        assert_eq!(a.generation(), 0);
        for crng in [&mut a, &mut b] {
            crng.mix(Source::BootSeed, b"seed");
            assert_eq!(crng.reseed(), 1);
        }
        // Even with nothing new in the pool, a reseed takes a new key.
        assert_eq!(b.reseed(), 2);
        assert_eq!(b.generation(), 2);
        assert_ne!(output(&mut a, 64), output(&mut b, 64));
    }

    #[test]
    fn every_request_erases_its_key() {
        let mut crng = Crng::with_key([7; 32]);
        let before = crng.key();
        let request = crng.request_key();
        let after = crng.key();
        assert_ne!(before, after);
        assert_ne!(request, before);
        assert_ne!(request, after);
        // The next request gets another key: two equal requests differ.
        assert_ne!(output(&mut crng, 32), output(&mut crng, 32));
        // Nothing of the old key is left in the state.
        assert_ne!(crng.key(), before);
    }

    #[test]
    fn an_unseeded_generator_still_uses_its_pool() {
        let mut a = Crng::new(1);
        let mut b = Crng::new(1);
        a.mix(Source::Tick, &1u64.to_le_bytes());
        b.mix(Source::Tick, &2u64.to_le_bytes());
        assert_ne!(output(&mut a, 32), output(&mut b, 32));
        assert_eq!(a.generation(), 0);
    }
}
