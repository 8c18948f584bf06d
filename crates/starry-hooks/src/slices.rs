//! The hook slices, their registration macros and their dispatchers.

use linkme::distributed_slice;

use crate::{ClockIf, HookError, HookResult, UserSpaceIf};

/// A boot hook: called once, before the first user program, with the kernel clock.
pub type BootHook = fn(&dyn ClockIf);

/// An exec hook: called after a program is loaded and its auxv is built.
///
/// On error the hook must have undone whatever it mapped.
pub type ExecHook = fn(&mut dyn UserSpaceIf) -> HookResult;

/// A tick hook: called on every timer tick, on every CPU, in interrupt context.
/// It must not block.
pub type TickHook = fn(&dyn ClockIf);

/// Every registered [`BootHook`].
#[distributed_slice]
pub static BOOT_HOOKS: [BootHook];

/// Every registered [`ExecHook`].
#[distributed_slice]
pub static EXEC_HOOKS: [ExecHook];

/// Every registered [`TickHook`].
#[distributed_slice]
pub static TICK_HOOKS: [TickHook];

/// Registers a function as a [`BootHook`].
#[macro_export]
macro_rules! register_boot_hook {
    ($hook:path) => {
        $crate::__register_hook!($crate::BOOT_HOOKS, $crate::BootHook, $hook);
    };
}

/// Registers a function as an [`ExecHook`].
#[macro_export]
macro_rules! register_exec_hook {
    ($hook:path) => {
        $crate::__register_hook!($crate::EXEC_HOOKS, $crate::ExecHook, $hook);
    };
}

/// Registers a function as a [`TickHook`].
#[macro_export]
macro_rules! register_tick_hook {
    ($hook:path) => {
        $crate::__register_hook!($crate::TICK_HOOKS, $crate::TickHook, $hook);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __register_hook {
    ($slice:path, $ty:ty, $hook:path) => {
        const _: () = {
            #[$crate::__priv::distributed_slice($slice)]
            #[linkme(crate = $crate::__priv::linkme)]
            static HOOK: $ty = $hook;
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
