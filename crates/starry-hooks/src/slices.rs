//! The hook slices, the registration macro and the dispatchers.

use linkme::distributed_slice;

use crate::{ClockIf, HookError, HookResult, UserSpaceIf};

/// Boot hooks: `fn(&dyn ClockIf)`, each called once, before the first user
/// program, with the kernel clock.
#[distributed_slice]
pub static BOOT_HOOKS: [fn(&dyn ClockIf)];

/// Exec hooks: `fn(&mut dyn UserSpaceIf) -> HookResult`, each called after a
/// program is loaded and its auxv is built.
///
/// On error a hook must have undone whatever it mapped.
#[distributed_slice]
pub static EXEC_HOOKS: [fn(&mut dyn UserSpaceIf) -> HookResult];

/// Tick hooks: `fn(&dyn ClockIf)`, each called by the kernel's timekeeping
/// update: once per tick period, on one CPU at a time (whichever CPU's tick
/// makes the update), in interrupt context. A tick hook must not block.
#[distributed_slice]
pub static TICK_HOOKS: [fn(&dyn ClockIf)];

/// Clock-set hooks: `fn(&dyn ClockIf)`, each called once the kernel's wall
/// clock was set (`clock_settime`, `settimeofday`), in task context, before
/// the call that set it returns: what a hook publishes must show the new
/// time at once, not at the next tick. A clock-set hook may wait for a lock
/// that a tick hook holds, but must not block otherwise.
#[distributed_slice]
pub static CLOCK_SET_HOOKS: [fn(&dyn ClockIf)];

/// Reseed hooks: `fn(generation: u64)`, each called once the kernel's random
/// generator has taken a new key, with the generation that key starts: never
/// 0, and larger at every reseed. A generator that has a generation is ready
/// (seeded from real entropy). Called in any context, the reseeding CPU's
/// lock on the generator released; a reseed hook must not block.
#[distributed_slice]
pub static RESEED_HOOKS: [fn(u64)];

/// The element type of each slice under the slice's name (types and statics
/// live in different namespaces), for [`register_hook!`] to name from the
/// slice's name alone. linkme checks each against its slice at every
/// registration, so the two spellings cannot drift apart.
#[allow(non_camel_case_types)]
pub mod element_types {
    use crate::{ClockIf, HookResult, UserSpaceIf};

    /// See [`BOOT_HOOKS`](crate::BOOT_HOOKS).
    pub type BOOT_HOOKS = fn(&dyn ClockIf);
    /// See [`EXEC_HOOKS`](crate::EXEC_HOOKS).
    pub type EXEC_HOOKS = fn(&mut dyn UserSpaceIf) -> HookResult;
    /// See [`TICK_HOOKS`](crate::TICK_HOOKS).
    pub type TICK_HOOKS = fn(&dyn ClockIf);
    /// See [`CLOCK_SET_HOOKS`](crate::CLOCK_SET_HOOKS).
    pub type CLOCK_SET_HOOKS = fn(&dyn ClockIf);
    /// See [`RESEED_HOOKS`](crate::RESEED_HOOKS).
    pub type RESEED_HOOKS = fn(u64);
}

/// Registers function `$hook` into the slice `$slice` of this crate
/// ([`BOOT_HOOKS`], [`EXEC_HOOKS`], [`TICK_HOOKS`], [`CLOCK_SET_HOOKS`] or
/// [`RESEED_HOOKS`]).
///
/// The function must have the slice's element type: anything else, or a slice
/// this crate does not declare, fails to compile.
///
/// # Examples
///
/// ```
/// fn on_tick(clock: &dyn starry_hooks::ClockIf) {
///     let _ = clock.read_counter();
/// }
/// starry_hooks::register_hook!(TICK_HOOKS, on_tick);
/// # fn main() {}
/// ```
///
/// A boot hook's signature registered as an exec hook:
///
/// ```compile_fail
/// fn on_boot(_: &dyn starry_hooks::ClockIf) {}
/// starry_hooks::register_hook!(EXEC_HOOKS, on_boot);
/// # fn main() {}
/// ```
///
/// A slice that does not exist:
///
/// ```compile_fail
/// fn on_boot(_: &dyn starry_hooks::ClockIf) {}
/// starry_hooks::register_hook!(SHUTDOWN_HOOKS, on_boot);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! register_hook {
    ($slice:ident, $hook:path $(,)?) => {
        const _: () = {
            // `__private::$slice` is the slice's element type (a type alias of
            // the same name); linkme checks it against the slice too.
            #[$crate::__private::distributed_slice($crate::$slice)]
            #[linkme(crate = $crate::__private::linkme)]
            static HOOK: $crate::__private::$slice = $hook;
        };
    };
}

/// Calls every boot hook, in link order.
pub fn run_boot_hooks(clock: &dyn ClockIf) {
    for hook in BOOT_HOOKS {
        hook(clock);
    }
}

/// Calls every exec hook, in link order.
///
/// A failing hook does not stop the others: each failure is passed to
/// `on_error` with the index of the hook, so that the kernel can log it.
/// Returns the number of hooks that failed.
pub fn run_exec_hooks(
    uspace: &mut dyn UserSpaceIf,
    mut on_error: impl FnMut(usize, HookError),
) -> usize {
    let mut failed = 0;
    for (index, hook) in EXEC_HOOKS.iter().enumerate() {
        if let Err(err) = hook(uspace) {
            failed += 1;
            on_error(index, err);
        }
    }
    failed
}

/// Calls every tick hook, in link order.
pub fn run_tick_hooks(clock: &dyn ClockIf) {
    for hook in TICK_HOOKS {
        hook(clock);
    }
}

/// Calls every clock-set hook, in link order.
pub fn run_clock_set_hooks(clock: &dyn ClockIf) {
    for hook in CLOCK_SET_HOOKS {
        hook(clock);
    }
}

/// Calls every reseed hook, in link order, with the generator's new
/// generation.
pub fn run_reseed_hooks(generation: u64) {
    for hook in RESEED_HOOKS {
        hook(generation);
    }
}
