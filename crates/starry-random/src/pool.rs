//! The entropy pool: a running BLAKE2s hash of everything mixed in.

use blake2::{Blake2s256, Digest};

/// Where an input came from; hashed in front of it, so that inputs of
/// different kinds can never be mistaken for one another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// Seed material the boot loader or firmware handed over.
    BootSeed = 1,
    /// Bytes written to `/dev/random` or `/dev/urandom`.
    UserWrite = 2,
    /// The digest of a run of counter samples (boot jitter).
    Jitter = 3,
    /// The counter, read at a timer tick.
    Tick = 4,
}

/// The entropy pool.
///
/// Every input is hashed in as `source || length || bytes`; [`take`] returns
/// the digest of all inputs since the last `take` and starts afresh. The pool
/// never credits entropy: the generator decides when to reseed by time, not by
/// an estimate of what the inputs were worth.
///
/// [`take`]: Pool::take
pub(crate) struct Pool {
    hash: Blake2s256,
    inputs: u64,
}

impl Pool {
    /// An empty pool.
    pub(crate) fn new() -> Self {
        Self {
            hash: Blake2s256::new(),
            inputs: 0,
        }
    }

    /// Hashes `bytes` from `source` into the pool.
    pub(crate) fn mix(&mut self, source: Source, bytes: &[u8]) {
        self.hash.update([source as u8]);
        self.hash.update((bytes.len() as u64).to_le_bytes());
        self.hash.update(bytes);
        self.inputs += 1;
    }

    /// How many inputs were mixed in since the last [`take`](Pool::take).
    pub(crate) fn inputs(&self) -> u64 {
        self.inputs
    }

    /// The digest of every input since the last `take`; empties the pool.
    pub(crate) fn take(&mut self) -> [u8; 32] {
        self.inputs = 0;
        core::mem::replace(&mut self.hash, Blake2s256::new())
            .finalize()
            .into()
    }
}
