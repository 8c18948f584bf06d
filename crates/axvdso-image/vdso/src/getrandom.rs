//! `getrandom` from user space: Linux 6.11's `vgetrandom` ABI.
//!
//! Each thread keeps a [`State`] in memory its libc maps as the parameters
//! say (`MAP_DROPPABLE | MAP_ANONYMOUS`: a fork child sees it zeroed). The
//! state holds a ChaCha20 key taken from the kernel's generator and a batch
//! of output. A call gives out batch bytes, zeroing each as it goes; when
//! the batch runs out it writes whole blocks straight into the caller's
//! buffer, then runs the key once more to refill the batch and replace the
//! key (fast key erasure: no key that produced output is kept).
//!
//! The key follows the kernel's generator: the data page's generation grows
//! at every reseed, and a state keyed under another generation (or zeroed:
//! generation 0, which the kernel never publishes) takes a new key from the
//! `getrandom` syscall before it gives out a byte. The generation is checked
//! again after the output is written; if it moved, the output is written
//! again under the new key (once; then the syscall answers).
//!
//! Whatever this cannot answer goes to the syscall, which returns exactly
//! what the kernel returns: unknown flags, a state of the wrong size, a
//! generator not yet seeded, a state already in use (a signal handler
//! interrupting a call on the same state).

use core::{
    mem::MaybeUninit,
    sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering, compiler_fence},
};

use axvdso_abi::getrandom::{GRND_INSECURE, GRND_NONBLOCK, GRND_RANDOM};
use axvdso_vvar::VdsoRngData;

use crate::chacha::{self, BLOCK_SIZE, KEY_WORDS};

/// Bytes of output a state keeps between calls: one and a half blocks, so
/// that one refill (two blocks) also yields the next key.
const BATCH_BYTES: usize = BLOCK_SIZE * 3 / 2;

/// Words of [`State::batch_key`].
const BATCH_KEY_WORDS: usize = 2 * BLOCK_SIZE / 4;

/// The most one call gives out: Linux's `MAX_RW_COUNT` (`INT_MAX` rounded
/// down to a page), what the syscall would also cap it to.
pub(crate) const MAX_LEN: usize = i32::MAX as usize & !(axvdso_abi::PAGE_SIZE_4K - 1);

/// A thread's opaque state: Linux's `struct vgetrandom_state`, same size and
/// field places (144 bytes).
#[repr(C)]
pub(crate) struct State {
    /// The batch (words 0..24, [`BATCH_BYTES`] little-endian bytes) and the
    /// key (words 24..32), refilled together by one run of two blocks.
    batch_key: [AtomicU32; BATCH_KEY_WORDS],
    /// The kernel generator's generation the key was taken under; 0: none.
    generation: AtomicU64,
    /// Bytes of the batch already given out (and zeroed).
    pos: AtomicU8,
    /// Set while a call uses the state.
    in_use: AtomicBool,
}

// Linux's layout (include/vdso/getrandom.h), which libcs size their
// allocations by (through `size_of_opaque_state`).
const _: () = {
    use core::mem::offset_of;
    assert!(size_of::<State>() == 144);
    assert!(offset_of!(State, generation) == 128);
    assert!(offset_of!(State, pos) == 136);
    assert!(offset_of!(State, in_use) == 137);
};

/// Bytes of [`State`]: what `size_of_opaque_state` reports.
pub(crate) const STATE_SIZE: usize = size_of::<State>();

impl State {
    /// The key: the last [`KEY_WORDS`] words of `batch_key`.
    #[allow(
        clippy::empty_loop,
        reason = "the arm is never taken; a panic there would be a link error"
    )]
    fn key(&self) -> &[AtomicU32; KEY_WORDS] {
        match self.batch_key.last_chunk() {
            Some(key) => key,
            // `batch_key` has more than KEY_WORDS words: never taken, and no
            // panic path in the image.
            None => loop {},
        }
    }
}

/// Whether a state of [`STATE_SIZE`] bytes at `addr` lies in one page: the
/// kernel may zero a droppable page at any time, so a state across two could
/// be half zeroed.
pub(crate) fn fits_in_a_page(addr: usize) -> bool {
    addr % axvdso_abi::PAGE_SIZE_4K + STATE_SIZE <= axvdso_abi::PAGE_SIZE_4K
}

/// Whether the vDSO handles these flags itself (all Linux defines); any
/// other bit goes to the syscall, which rejects it.
pub(crate) fn known_flags(flags: u32) -> bool {
    flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) == 0
}

/// Why a call goes to the syscall after all.
pub(crate) struct Fallback;

/// Fills `buf` from `state`, keyed from the kernel's generator as `rng`
/// says; `fetch_key` is the `getrandom` syscall (flags 0) into the key's
/// 32 bytes, returning whether it filled them. Returns the bytes written
/// (`buf.len()`), or [`Fallback`]: then nothing was taken from the state and
/// the caller makes the syscall for the whole request.
pub(crate) fn fill(
    rng: &VdsoRngData,
    state: &State,
    buf: &mut [MaybeUninit<u8>],
    fetch_key: impl Fn(&[AtomicU32; KEY_WORDS]) -> bool,
) -> Result<usize, Fallback> {
    if rng.is_ready.load(Ordering::Acquire) == 0 {
        return Err(Fallback);
    }
    if buf.is_empty() {
        return Ok(0);
    }
    if state.in_use.load(Ordering::Relaxed) {
        return Err(Fallback);
    }
    state.in_use.store(true, Ordering::Relaxed);
    // A signal handler on this thread sees `in_use` before any other write.
    compiler_fence(Ordering::SeqCst);
    let result = fill_in_use(rng, state, buf, fetch_key);
    compiler_fence(Ordering::SeqCst);
    state.in_use.store(false, Ordering::Relaxed);
    result
}

// Not inlined into the entry point: its frame then holds only what the
// fallback needs (the caller's buffer, length and flags), and no frame of
// getrandom is larger than Linux's x86_64 one (104 bytes: ours 48 and 96).
#[inline(never)]
fn fill_in_use(
    rng: &VdsoRngData,
    state: &State,
    buf: &mut [MaybeUninit<u8>],
    fetch_key: impl Fn(&[AtomicU32; KEY_WORDS]) -> bool,
) -> Result<usize, Fallback> {
    let mut retried = false;
    loop {
        let generation = rng.generation.load(Ordering::Acquire);
        if state.generation.load(Ordering::Relaxed) != generation {
            // Recorded before the key is fetched: a state never pairs the
            // current generation with a key fetched before it (a failed
            // fetch resets it to 0, which no generator publishes).
            state.generation.store(generation, Ordering::Relaxed);
            compiler_fence(Ordering::SeqCst);
            if !fetch_key(state.key()) {
                state.generation.store(0, Ordering::Relaxed);
                return Err(Fallback);
            }
            state.pos.store(BATCH_BYTES as u8, Ordering::Relaxed);
        }
        write_output(state, buf);
        compiler_fence(Ordering::SeqCst);
        // A reseed, a fork or a dropped page while writing: the output may
        // come from a key the kernel has replaced, or be shared with a child.
        if state.generation.load(Ordering::Relaxed) == rng.generation.load(Ordering::Acquire) {
            return Ok(buf.len());
        }
        if retried {
            return Err(Fallback);
        }
        retried = true;
    }
}

/// Writes all of `buf`: batch bytes first, then whole blocks, refilling the
/// batch (and replacing the key) whenever it is used up.
fn write_output(state: &State, buf: &mut [MaybeUninit<u8>]) {
    let mut counter = 0u64;
    let mut rest = buf;
    loop {
        let taken = take_batch(state, rest);
        rest = match core::mem::take(&mut rest).get_mut(taken..) {
            Some(rest) if !rest.is_empty() => rest,
            _ => return,
        };
        // Whole blocks for the caller, each made in the used-up batch and
        // moved out (the same bytes as Linux's direct write, one copy of the
        // block code).
        let whole = rest.len() / BLOCK_SIZE * BLOCK_SIZE;
        if let Some((blocks, tail)) = core::mem::take(&mut rest).split_at_mut_checked(whole) {
            for block in blocks.chunks_exact_mut(BLOCK_SIZE) {
                chacha::blocks_to_words(
                    state.key(),
                    &mut counter,
                    &state.batch_key[..BLOCK_SIZE / 4],
                );
                move_words(&state.batch_key[..BLOCK_SIZE / 4], block);
            }
            rest = tail;
        }
        // Refill the batch and overwrite the key with the next two blocks.
        chacha::blocks_to_words(state.key(), &mut counter, &state.batch_key);
        state.pos.store(0, Ordering::Relaxed);
    }
}

/// Moves `words` into `dst` (little endian), zeroing them.
fn move_words(words: &[AtomicU32], dst: &mut [MaybeUninit<u8>]) {
    for (word, out) in words.iter().zip(dst.chunks_exact_mut(4)) {
        let bytes = word.load(Ordering::Relaxed).to_le_bytes();
        word.store(0, Ordering::Relaxed);
        for (out, byte) in out.iter_mut().zip(bytes) {
            out.write(byte);
        }
    }
}

/// Copies what is left of the batch into `dst` (as much as fits), zeroing
/// it in the state; returns the bytes copied. Works a word at a time in a
/// register: unread batch bytes never go to the stack.
fn take_batch(state: &State, dst: &mut [MaybeUninit<u8>]) -> usize {
    let pos = usize::from(state.pos.load(Ordering::Relaxed)).min(BATCH_BYTES);
    let n = dst.len().min(BATCH_BYTES - pos);
    let (mut from, to) = (pos, pos + n);
    let mut out = dst.iter_mut();
    while from < to {
        let Some(word) = state.batch_key.get(from / 4) else {
            break;
        };
        let first = from % 4;
        let last = (to - from + first).min(4);
        let value = word.load(Ordering::Relaxed);
        for shift in (first..last).map(|byte| 8 * byte) {
            if let Some(out) = out.next() {
                out.write((value >> shift) as u8);
            }
        }
        // Keep only the bytes below `first` and from `last` on: both zero
        // already, or not yet given out.
        let taken = (u32::MAX >> (32 - 8 * (last - first))) << (8 * first);
        word.store(value & !taken, Ordering::Relaxed);
        from += last - first;
    }
    state.pos.store(to as u8, Ordering::Relaxed);
    n
}
