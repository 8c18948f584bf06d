//! The embedded x86_64 vDSO's `getrandom`, called in this process next to a
//! data page the test drives: Linux's parameters, the fallbacks, and the
//! exact bytes of known states against the `chacha20` crate's keystream
//! (64-bit block counter, nonce 0) — the generic state logic of
//! `getrandom.rs` and x86_64's SSE2 block function together.
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod support;

use std::ptr;

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use support::vdso::MappedVdso;

const STATE_SIZE: usize = 144;
const EFAULT: i64 = 14;
const EINVAL: i64 = 22;

/// A page for states, mapped read-write.
struct Page(*mut u8);

impl Page {
    fn new() -> Self {
        // SAFETY: a fresh anonymous mapping overlaps nothing.
        let p = unsafe {
            libc::mmap(
                ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        Page(p.cast())
    }

    /// The state at the start of the page.
    fn state(&mut self) -> &mut [u8; STATE_SIZE] {
        // SAFETY: the page is mapped read-write and only used through this.
        unsafe { &mut *self.0.cast() }
    }
}

/// Field offsets of Linux's `struct vgetrandom_state`.
const KEY: usize = 96;
const GENERATION: usize = 128;
const POS: usize = 136;
const IN_USE: usize = 137;

fn generation(state: &[u8; STATE_SIZE]) -> u64 {
    u64::from_le_bytes(state[GENERATION..GENERATION + 8].try_into().unwrap())
}

/// A state keyed with `key` under `generation`, its batch empty.
fn known_state(state: &mut [u8; STATE_SIZE], key: [u8; 32], generation: u64) {
    state.fill(0);
    state[KEY..KEY + 32].copy_from_slice(&key);
    state[GENERATION..GENERATION + 8].copy_from_slice(&generation.to_le_bytes());
    state[POS] = 96;
}

/// Keystream blocks `from..from + n` of `key`.
fn keystream(key: [u8; 32], from: u64, n: usize) -> Vec<u8> {
    let mut rng = ChaCha20Rng::from_seed(key);
    rng.set_block_pos(from);
    let mut out = vec![0; 64 * n];
    rng.fill_bytes(&mut out);
    out
}

fn draw(vdso: &MappedVdso, page: &Page, buf: &mut [u8]) -> i64 {
    // SAFETY: `buf` is writable for its length; the state is the page's.
    unsafe { vdso.getrandom(buf.as_mut_ptr(), buf.len(), 0, page.0, STATE_SIZE) }
}

#[test]
fn parameters_are_linux_s() {
    let vdso = MappedVdso::new();
    let mut params = [0xffu32; 16];
    // SAFETY: the parameters are 64 writable bytes.
    let r = unsafe {
        vdso.getrandom(
            ptr::null_mut(),
            0,
            0,
            params.as_mut_ptr().cast(),
            usize::MAX,
        )
    };
    assert_eq!(r, 0);
    let want_flags = (libc::MAP_DROPPABLE | libc::MAP_ANONYMOUS) as u32;
    assert_eq!(
        params[..3],
        [144, (libc::PROT_READ | libc::PROT_WRITE) as u32, want_flags]
    );
    assert!(params[3..].iter().all(|&w| w == 0), "reserved words zeroed");
}

#[test]
fn known_states_give_the_chacha20_keystream() {
    let vdso = MappedVdso::new();
    vdso.writer.publish_rng_generation(5);
    let mut page = Page::new();
    let key: [u8; 32] = core::array::from_fn(|i| i as u8 * 7 + 1);

    // 144 bytes: blocks 0 and 1 straight out, then the refill (blocks 2, 3)
    // gives 16 batch bytes; the next key is the end of block 3.
    known_state(page.state(), key, 5);
    let mut out = [0u8; 144];
    assert_eq!(draw(vdso, &page, &mut out), 144);
    let stream = keystream(key, 0, 4);
    assert_eq!(out[..128], stream[..128]);
    assert_eq!(out[128..], stream[128..144]);
    let state = page.state();
    assert_eq!(state[POS], 16);
    assert!(
        state[..16].iter().all(|&b| b == 0),
        "given-out batch bytes are zeroed"
    );
    assert_eq!(state[16..96], stream[144..224]);
    assert_eq!(state[KEY..KEY + 32], stream[224..256]);
    assert_eq!((generation(state), state[IN_USE]), (5, 0));

    // The next 80 batch bytes, then a new key's blocks.
    let next_key: [u8; 32] = stream[224..256].try_into().unwrap();
    let mut more = [0u8; 100];
    assert_eq!(draw(vdso, &page, &mut more), 100);
    assert_eq!(more[..80], stream[144..224]);
    assert_eq!(more[80..], keystream(next_key, 0, 1)[..20]);

    // 10000 bytes: 156 whole blocks, then 16 from the refilled batch.
    known_state(page.state(), key, 5);
    let mut big = vec![0u8; 10_000];
    assert_eq!(draw(vdso, &page, &mut big), 10_000);
    let stream = keystream(key, 0, 158);
    assert_eq!(big[..9984], stream[..9984]);
    assert_eq!(big[9984..], stream[9984..10_000]);
}

#[test]
fn a_new_generation_takes_a_new_key_and_the_fallbacks_use_the_syscall() {
    let vdso = MappedVdso::new();
    let mut page = Page::new();
    let key = [9u8; 32];
    let mut buf = [0u8; 32];

    // Not ready: the syscall answers, the state is not touched.
    known_state(page.state(), key, 0);
    let before = *page.state();
    assert_eq!(draw(vdso, &page, &mut buf), 32);
    assert_eq!(*page.state(), before);

    // Ready, at another generation: the state takes the generation and a
    // key from the kernel, so the bytes are not the old key's.
    vdso.writer.publish_rng_generation(7);
    known_state(page.state(), key, 6);
    assert_eq!(draw(vdso, &page, &mut buf), 32);
    assert_eq!(generation(page.state()), 7);
    assert_ne!(buf[..], keystream(key, 0, 1)[..32]);

    // In use (a signal handler's call): the syscall, the state untouched.
    known_state(page.state(), key, 7);
    page.state()[IN_USE] = 1;
    let before = *page.state();
    assert_eq!(draw(vdso, &page, &mut buf), 32);
    assert_eq!(*page.state(), before);

    // Bad arguments.
    known_state(page.state(), key, 7);
    // SAFETY: as in `draw`, with other flags, sizes and pointers; a state
    // across the page boundary is refused before it is touched.
    unsafe {
        assert_eq!(
            vdso.getrandom(buf.as_mut_ptr(), 32, 0x100, page.0, STATE_SIZE),
            -EINVAL
        );
        assert_eq!(
            vdso.getrandom(ptr::null_mut(), 32, 0, page.0, STATE_SIZE),
            -EFAULT
        );
        assert_eq!(
            vdso.getrandom(buf.as_mut_ptr(), 0, 0, page.0, STATE_SIZE),
            0
        );
        assert_eq!(
            vdso.getrandom(buf.as_mut_ptr(), 32, 0, page.0, STATE_SIZE - 8),
            32
        );
        let across = page.0.add(4096 - 64);
        assert_eq!(
            vdso.getrandom(buf.as_mut_ptr(), 32, 0, across, STATE_SIZE),
            -EFAULT
        );
    }
    assert_eq!(page.state()[POS], 96, "no call above used the state");
}
