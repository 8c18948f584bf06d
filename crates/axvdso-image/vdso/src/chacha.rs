//! The ChaCha20 block function of `getrandom`, kept off the stack.
//!
//! ChaCha20 as RFC 8439 defines the block function, with the original
//! 64-bit block counter in words 12 and 13 and a zero nonce in words 14 and
//! 15: the generator Linux's vDSO runs (its `__arch_chacha20_blocks_nostack`),
//! so that the same key gives the same bytes.
//!
//! Key material must not leave the memory the caller owns (the per-thread
//! state and the output buffer): no key or keystream word may be spilled to
//! the stack, where it would outlive the call. The working state is sixteen
//! `u32` locals that the compiler keeps in registers on riscv64 and aarch64
//! (31 general registers); each output word is the working word plus the
//! input word, re-read from the key or rebuilt from the counter, and stored
//! at once. `axvdso-image`'s test `chacha_keeps_key_material_off_the_stack`
//! disassembles the built image and checks that no store goes to the stack
//! after the block function has read the key.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use crate::arch::{Arch, VdsoArch};

/// Bytes in a ChaCha20 block.
pub(crate) const BLOCK_SIZE: usize = 64;

/// Words in a ChaCha20 key.
pub(crate) const KEY_WORDS: usize = 8;

/// "expand 32-byte k", as four little-endian words.
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// One ChaCha20 block of keystream: key `key`, block counter `counter`,
/// nonce 0. Each of its sixteen words is passed to `out` with its index, in
/// order; nothing else is written.
#[inline(always)]
fn block(key: &[AtomicU32; KEY_WORDS], counter: u64, mut out: impl FnMut(usize, u32)) {
    let k = |i: usize| key[i].load(Relaxed);
    let (c0, c1) = (counter as u32, (counter >> 32) as u32);
    let mut x = [
        SIGMA[0],
        SIGMA[1],
        SIGMA[2],
        SIGMA[3],
        k(0),
        k(1),
        k(2),
        k(3),
        k(4),
        k(5),
        k(6),
        k(7),
        c0,
        c1,
        0,
        0,
    ];
    for _ in 0..10 {
        // Columns, then diagonals.
        quarter_round(&mut x, 0, 4, 8, 12);
        quarter_round(&mut x, 1, 5, 9, 13);
        quarter_round(&mut x, 2, 6, 10, 14);
        quarter_round(&mut x, 3, 7, 11, 15);
        quarter_round(&mut x, 0, 5, 10, 15);
        quarter_round(&mut x, 1, 6, 11, 12);
        quarter_round(&mut x, 2, 7, 8, 13);
        quarter_round(&mut x, 3, 4, 9, 14);
    }
    for (i, &sigma) in SIGMA.iter().enumerate() {
        out(i, x[i].wrapping_add(sigma));
    }
    for i in 0..KEY_WORDS {
        out(4 + i, x[4 + i].wrapping_add(k(i)));
    }
    out(12, x[12].wrapping_add(c0));
    out(13, x[13].wrapping_add(c1));
    out(14, x[14]);
    out(15, x[15]);
}

#[inline(always)]
fn quarter_round(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

/// Fills `dst` (a whole number of blocks' worth of words; any tail is left
/// untouched) with keystream blocks from block `*counter` on, and advances
/// `*counter` past them. `dst` may hold `key` itself (its last words): a
/// block reads each key word before it overwrites it.
#[inline(always)]
pub(crate) fn blocks_to_words(key: &[AtomicU32; KEY_WORDS], counter: &mut u64, dst: &[AtomicU32]) {
    for chunk in dst.chunks_exact(BLOCK_SIZE / 4) {
        if let Ok(words) = chunk.try_into() {
            Arch::chacha20_block(key, *counter, words);
        }
        *counter = counter.wrapping_add(1);
    }
}

// One block per call, not inlined: the working state, the constants, the
// counter and two pointers fit in the registers a call may use, so the
// compiler has no reason to spill (the loop over blocks stays outside).
// The one copy of the block code: output for the caller's buffer is also
// made here, in the state's (used-up) batch, and copied out from there.

/// One block, as words: the generic block function, for the arches whose
/// general registers hold the working state (`VdsoArch::chacha20_block`).
#[inline(never)]
pub(crate) fn block_to_words(
    key: &[AtomicU32; KEY_WORDS],
    counter: u64,
    words: &[AtomicU32; BLOCK_SIZE / 4],
) {
    block(key, counter, |i, word| words[i].store(word, Relaxed));
}
