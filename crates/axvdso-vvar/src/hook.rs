//! The kernel's vvar pages and the hooks that keep them current.

use starry_hooks::ClockIf;

use crate::{VvarPages, VvarWriter};

/// The kernel's vvar pages, which the loader maps read-only below every
/// process's vDSO text.
///
/// Page aligned and exactly [`VVAR_SIZE`](crate::VVAR_SIZE) bytes (checked at
/// compile time), so mapping these pages exposes nothing else of the kernel.
pub static VVAR_PAGES: VvarPages = VvarPages::new();

/// The writer of [`VVAR_PAGES`]; the hooks of this crate are its only callers.
pub static VVAR_WRITER: VvarWriter<'static> = VvarWriter::new(&VVAR_PAGES);

/// The kernel virtual address of [`VVAR_PAGES`], for mapping them into user
/// space. Page aligned; the area is [`VVAR_SIZE`](crate::VVAR_SIZE) bytes.
pub fn vvar_kernel_addr() -> usize {
    core::ptr::from_ref(&VVAR_PAGES).addr()
}

/// Boot hook: sets up the conversion and publishes the first update.
fn init_vvar(clock: &dyn ClockIf) {
    VVAR_WRITER.init(clock);
}

/// Tick hook: publishes the current time. The kernel runs it once per tick
/// period, from its timekeeping update; a concurrent writer (none, in
/// practice) makes it skip rather than wait.
fn update_vvar(clock: &dyn ClockIf) {
    let _ = VVAR_WRITER.try_update(clock);
}

/// Clock-set hook: publishes the new wall-clock time before the call that
/// set it returns, waiting for a tick's update if one is under way (that one
/// may have read the old offset).
fn update_vvar_now(clock: &dyn ClockIf) {
    VVAR_WRITER.update(clock);
}

/// Reseed hook: publishes the random generator's new generation, for the
/// vDSO's `getrandom`.
fn publish_rng(generation: u64) {
    VVAR_WRITER.publish_rng_generation(generation);
}

starry_hooks::register_hook!(BOOT_HOOKS, init_vvar);
starry_hooks::register_hook!(TICK_HOOKS, update_vvar);
starry_hooks::register_hook!(CLOCK_SET_HOOKS, update_vvar_now);
starry_hooks::register_hook!(RESEED_HOOKS, publish_rng);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PAGE_SIZE_4K, VVAR_SIZE};

    #[test]
    fn kernel_pages_are_page_aligned_and_exactly_sized() {
        assert_eq!(vvar_kernel_addr() % PAGE_SIZE_4K, 0);
        assert_eq!(size_of_val(&VVAR_PAGES), VVAR_SIZE);
        assert!(core::ptr::eq(VVAR_WRITER.pages(), &VVAR_PAGES));
    }

    #[test]
    fn hooks_are_registered() {
        assert!(
            starry_hooks::BOOT_HOOKS
                .iter()
                .any(|&hook| core::ptr::fn_addr_eq(hook, init_vvar as fn(&dyn ClockIf)))
        );
        assert!(
            starry_hooks::TICK_HOOKS
                .iter()
                .any(|&hook| core::ptr::fn_addr_eq(hook, update_vvar as fn(&dyn ClockIf)))
        );
        assert!(
            starry_hooks::CLOCK_SET_HOOKS
                .iter()
                .any(|&hook| core::ptr::fn_addr_eq(hook, update_vvar_now as fn(&dyn ClockIf)))
        );
        assert!(
            starry_hooks::RESEED_HOOKS
                .iter()
                .any(|&hook| core::ptr::fn_addr_eq(hook, publish_rng as fn(u64)))
        );
    }
}
