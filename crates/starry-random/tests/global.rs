//! The kernel-wide generator: seeding, output, generations and the hooks.

use std::sync::{Mutex, atomic::AtomicU64, atomic::Ordering::SeqCst};

use starry_hooks::{register_hook, run_tick_hooks, testing::FakeClock};

static SEEN: Mutex<Vec<u64>> = Mutex::new(Vec::new());
static LAST: AtomicU64 = AtomicU64::new(0);

fn on_reseed(generation: u64) {
    // Called with the generator's lock released: reading it must not
    // deadlock.
    assert_eq!(starry_random::generation(), generation);
    LAST.store(generation, SeqCst);
    SEEN.lock().unwrap().push(generation);
}
register_hook!(RESEED_HOOKS, on_reseed);

fn draw() -> [u8; 32] {
    let mut buf = [0; 32];
    starry_random::fill_bytes(&mut buf);
    buf
}

/// One test: the generator is global to the process.
#[test]
fn the_kernel_generator() {
    assert_eq!(starry_random::generation(), 0);
    assert!(!starry_random::is_ready());

    // Boot: seed, then jitter; the first seeding is generation 1.
    starry_random::add_seed(&[0x5a; 32]);
    let start = std::time::Instant::now();
    let changes = starry_random::seed_from_jitter(&|| start.elapsed().as_nanos() as u64);
    assert!(changes > 0);
    assert_eq!(starry_random::generation(), 1);
    assert!(starry_random::is_ready());
    assert_eq!(*SEEN.lock().unwrap(), [1]);

    // Output: never the same twice.
    let (a, b) = (draw(), draw());
    assert_ne!(a, b);
    assert_ne!(starry_random::next_u64(), starry_random::next_u64());
    starry_random::fill_bytes(&mut []);

    // A forced reseed is generation 2 and fires the hooks once.
    starry_random::add_entropy(b"from user space");
    assert_eq!(starry_random::force_reseed(), 2);
    assert_eq!(LAST.load(SeqCst), 2);

    // Ticks: the first schedules, a tick 1 s later reseeds (generation 3),
    // the hooks running after the lock is released.
    let clock = FakeClock::new(1_000_000_000, 0);
    clock.set_counter(10_000_000_000);
    run_tick_hooks(&clock);
    assert_eq!(starry_random::generation(), 2);
    clock.set_counter(10_500_000_000);
    run_tick_hooks(&clock);
    assert_eq!(starry_random::generation(), 2);
    clock.set_counter(11_000_000_000);
    run_tick_hooks(&clock);
    assert_eq!(starry_random::generation(), 3);
    assert_eq!(*SEEN.lock().unwrap(), [1, 2, 3]);
    // The next is 2 s later.
    clock.set_counter(12_990_000_000);
    run_tick_hooks(&clock);
    assert_eq!(starry_random::generation(), 3);
    clock.set_counter(13_000_000_000);
    run_tick_hooks(&clock);
    assert_eq!(starry_random::generation(), 4);
    assert_eq!(*SEEN.lock().unwrap(), [1, 2, 3, 4]);
}
