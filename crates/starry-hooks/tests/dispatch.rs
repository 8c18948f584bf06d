//! Hooks registered from a test binary are found and called by the dispatchers.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use starry_hooks::{
    AT_SYSINFO_EHDR, BOOT_HOOKS, CLOCK_SET_HOOKS, ClockIf, EXEC_HOOKS, HookError, HookResult,
    RESEED_HOOKS, TICK_HOOKS, UserPerm, UserSpaceIf, run_boot_hooks, run_clock_set_hooks,
    run_exec_hooks, run_reseed_hooks, run_tick_hooks,
    testing::{FakeClock, RecordingSpace},
};

/// 10 MHz, counter 1234: 123_400 ns since boot; a 10 ms tick.
static CLOCK: FakeClock = FakeClock::new(10_000_000, 1234);

static BOOT_SEEN: AtomicU64 = AtomicU64::new(0);
static TICKS_SEEN: AtomicUsize = AtomicUsize::new(0);
static CLOCK_SETS_SEEN: AtomicU64 = AtomicU64::new(0);
static RESEEDS_SEEN: AtomicU64 = AtomicU64::new(0);

fn boot_hook(clock: &dyn ClockIf) {
    BOOT_SEEN.store(
        clock.counter_to_monotonic_nanos(clock.read_counter()),
        Ordering::SeqCst,
    );
}

fn tick_hook(clock: &dyn ClockIf) {
    TICKS_SEEN.fetch_add(clock.tick_period_nanos() as usize, Ordering::SeqCst);
}

fn clock_set_hook(clock: &dyn ClockIf) {
    CLOCK_SETS_SEEN.fetch_add(clock.wall_offset_nanos() + 1, Ordering::SeqCst);
}

fn reseed_hook(generation: u64) {
    RESEEDS_SEEN.fetch_max(generation, Ordering::SeqCst);
}

fn exec_hook_ok(uspace: &mut dyn UserSpaceIf) -> HookResult {
    let base = uspace
        .find_free_range(0x7000_0000, 0x3000, uspace.user_range(), 0x1000)
        .unwrap();
    uspace.map_kernel_pages(
        base,
        0xffff_0000,
        0x3000,
        UserPerm::READ | UserPerm::EXECUTE,
        "[x]",
    )?;
    uspace.push_aux(AT_SYSINFO_EHDR, base)
}

fn exec_hook_failing(_: &mut dyn UserSpaceIf) -> HookResult {
    Err(HookError::NoSpace)
}

starry_hooks::register_hook!(BOOT_HOOKS, boot_hook);
starry_hooks::register_hook!(TICK_HOOKS, tick_hook);
starry_hooks::register_hook!(CLOCK_SET_HOOKS, clock_set_hook);
starry_hooks::register_hook!(RESEED_HOOKS, reseed_hook);
starry_hooks::register_hook!(EXEC_HOOKS, exec_hook_ok);
starry_hooks::register_hook!(EXEC_HOOKS, exec_hook_failing);

#[test]
fn slices_hold_exactly_the_registered_hooks() {
    assert_eq!(BOOT_HOOKS.len(), 1);
    assert_eq!(TICK_HOOKS.len(), 1);
    assert_eq!(CLOCK_SET_HOOKS.len(), 1);
    assert_eq!(RESEED_HOOKS.len(), 1);
    assert_eq!(EXEC_HOOKS.len(), 2);
}

#[test]
fn boot_hook_sees_the_clock() {
    run_boot_hooks(&CLOCK);
    assert_eq!(BOOT_SEEN.load(Ordering::SeqCst), 123_400);
}

#[test]
fn reseed_hook_sees_the_generation() {
    run_reseed_hooks(7);
    assert_eq!(RESEEDS_SEEN.load(Ordering::SeqCst), 7);
}

#[test]
fn tick_hook_runs_once_per_dispatch() {
    let before = TICKS_SEEN.load(Ordering::SeqCst);
    run_tick_hooks(&CLOCK);
    run_tick_hooks(&CLOCK);
    assert_eq!(TICKS_SEEN.load(Ordering::SeqCst) - before, 20_000_000);
}

#[test]
fn clock_set_hook_runs_once_per_dispatch_and_sees_the_clock() {
    let before = CLOCK_SETS_SEEN.load(Ordering::SeqCst);
    run_clock_set_hooks(&CLOCK);
    assert_eq!(
        CLOCK_SETS_SEEN.load(Ordering::SeqCst) - before,
        CLOCK.wall_offset_nanos() + 1
    );
}

#[test]
fn exec_hooks_all_run_and_failures_are_reported() {
    let mut space = RecordingSpace::new(4);
    let mut errors = Vec::new();
    let failed = run_exec_hooks(&mut space, |index, err| errors.push((index, err)));
    assert_eq!(failed, 1);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].1, HookError::NoSpace);
    assert_eq!(space.aux, vec![(AT_SYSINFO_EHDR, 0x7000_0000)]);
    assert_eq!(space.maps.len(), 1);
    assert_eq!(space.maps[0].start, 0x7000_0000);
    assert_eq!(space.maps[0].perm, UserPerm::READ | UserPerm::EXECUTE);
    assert!(space.maps[0].perm.contains(UserPerm::EXECUTE));
    assert!(!space.maps[0].perm.contains(UserPerm::WRITE));
}
