//! The kernel's one generator and its API.

use blake2::{Blake2s256, Digest};
use kspin::SpinNoIrq;
use starry_hooks::run_reseed_hooks;

use crate::{
    crng::{Crng, fill_from_key},
    jitter,
    pool::Source,
    tick::RESEED_FIRST_NANOS,
};

/// The generator. `None` only until its first use (the pool's hash state has
/// no `const` constructor).
///
/// The lock masks local IRQs while held, so the tick hook (an interrupt)
/// never finds it held on its own CPU; it is held only for a few ChaCha20 and
/// BLAKE2s blocks, never while output is generated or hooks run.
static CRNG: SpinNoIrq<Option<Crng>> = SpinNoIrq::new(None);

fn init(slot: &mut Option<Crng>) -> &mut Crng {
    slot.get_or_insert_with(|| Crng::new(RESEED_FIRST_NANOS))
}

fn with_crng<R>(f: impl FnOnce(&mut Crng) -> R) -> R {
    f(init(&mut CRNG.lock()))
}

/// Runs `f` on the generator unless another CPU holds it; for interrupt
/// context.
pub(crate) fn try_with_crng<R>(f: impl FnOnce(&mut Crng) -> R) -> Option<R> {
    Some(f(init(&mut *CRNG.try_lock()?)))
}

/// Fills `dest` with random bytes.
///
/// Each call takes a fresh key from the generator (and replaces the
/// generator's key: fast key erasure), then fills `dest` from that key's
/// ChaCha20 stream without holding any lock. This is what `/dev/random`,
/// `/dev/urandom`, `getrandom(2)` and the kernel's own draws return.
///
/// Never blocks (other than on the lock, briefly) and never fails. Before the
/// generator was first seeded ([`is_ready`] is false) the output depends only
/// on what was mixed in so far: the kernel seeds it at boot, before any
/// consumer exists.
pub fn fill_bytes(dest: &mut [u8]) {
    if dest.is_empty() {
        return;
    }
    fill_from_key(with_crng(Crng::request_key), dest);
}

/// Returns 64 random bits, as [`fill_bytes`] would.
pub fn next_u64() -> u64 {
    let mut bytes = [0; 8];
    fill_bytes(&mut bytes);
    u64::from_le_bytes(bytes)
}

/// Mixes boot-time seed material into the pool: what a boot loader or
/// firmware hands over (the device tree's `/chosen/rng-seed`, UEFI's RNG
/// protocol).
///
/// It takes effect at the next reseed: at boot,
/// [`seed_from_jitter`]'s; call [`force_reseed`] to apply it at once.
pub fn add_seed(seed: &[u8]) {
    mix_hashed(Source::BootSeed, seed);
}

/// Mixes bytes written to `/dev/random` or `/dev/urandom` into the pool,
/// uncredited: anyone may write there, so the bytes can only add to what the
/// pool holds, never stand for entropy. They take effect at the next reseed.
pub fn add_entropy(bytes: &[u8]) {
    mix_hashed(Source::UserWrite, bytes);
}

/// Hashes `bytes` first, without the lock, so a long input costs the lock
/// holder one digest.
fn mix_hashed(source: Source, bytes: &[u8]) {
    let digest = Blake2s256::digest(bytes);
    with_crng(|crng| crng.mix(source, &digest));
}

/// Seeds the generator at boot: samples `read_counter` [`JITTER_SAMPLES`]
/// times around work of varying duration, mixes the samples into the pool
/// (with whatever [`add_seed`] put there) and reseeds.
///
/// `read_counter` is a free-running counter of fine resolution (the
/// architecture's time counter). Returns how many samples saw the counter's
/// delta change, a rough measure of the jitter found (0: the counter never
/// moved, and only the boot seed stands behind the key). The reseed is
/// counted like any other: the first one makes [`generation`] 1.
///
/// [`JITTER_SAMPLES`]: crate::JITTER_SAMPLES
pub fn seed_from_jitter(read_counter: &dyn Fn() -> u64) -> usize {
    let jitter = jitter::sample(read_counter);
    let generation = with_crng(|crng| {
        crng.mix(Source::Jitter, &jitter.digest);
        crng.reseed()
    });
    run_reseed_hooks(generation);
    jitter.changes
}

/// Reseeds the generator now, from everything mixed in since its last reseed
/// (`ioctl(RNDRESEEDCRNG)`), and returns the new generation.
///
/// Like every reseed, it calls the reseed hooks
/// ([`starry_hooks::RESEED_HOOKS`]) with the new generation, after releasing
/// the generator's lock.
pub fn force_reseed() -> u64 {
    let generation = with_crng(Crng::reseed);
    run_reseed_hooks(generation);
    generation
}

/// How many times the generator was reseeded: 0 until it was first seeded
/// from real entropy, then 1, 2, ...
///
/// A generation is never reused: output drawn under one generation comes from
/// a key that is gone once the next begins.
pub fn generation() -> u64 {
    with_crng(|crng| crng.generation())
}

/// Whether the generator was seeded: `generation() > 0`.
pub fn is_ready() -> bool {
    generation() > 0
}
