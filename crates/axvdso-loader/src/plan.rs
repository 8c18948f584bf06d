//! Where the vDSO goes in a user address space, and how it is mapped there.

use core::ops::Range;

use axvdso_vvar::PAGE_SIZE_4K;
use starry_hooks::{AT_SYSINFO_EHDR, HookError, HookResult, UserPerm, UserSpaceIf};

/// The kernel pages to map: the vvar pages and, right above them, the vDSO text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VdsoPages {
    /// Kernel virtual address of the vvar pages (page aligned).
    pub vvar_kernel_addr: usize,
    /// Size of the vvar pages, in bytes (a multiple of the page size).
    pub vvar_size: usize,
    /// Kernel virtual address of the vDSO image (page aligned).
    pub text_kernel_addr: usize,
    /// Size of the vDSO image, in bytes (a multiple of the page size).
    pub text_size: usize,
    /// Offset in the image of the code signal handlers return to
    /// (`__vdso_rt_sigreturn`), or `None` where libcs bring their own.
    pub sigreturn_offset: Option<usize>,
}

/// Where the vDSO was mapped in one address space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VdsoLayout {
    /// User address of the vvar pages (read-only).
    pub vvar_start: usize,
    /// User address of the vDSO text (read + execute); `AT_SYSINFO_EHDR`.
    pub text_start: usize,
    /// Total size of the mapping (vvar + text), in bytes.
    pub size: usize,
    /// Where this program's signal handlers return, if the image has the code.
    pub signal_return: Option<usize>,
}

/// Picks a page-aligned base for `size` bytes inside `window`, uniformly from
/// `random`. Returns `None` if the window cannot hold `size` bytes.
///
/// The number of possible bases is `(window.len() - size) / 4096 + 1`; its
/// base-2 logarithm is the entropy of the placement.
pub fn pick_base(window: &Range<usize>, size: usize, random: u64) -> Option<usize> {
    let start = window.start.checked_next_multiple_of(PAGE_SIZE_4K)?;
    let room = window.end.checked_sub(start)?.checked_sub(size)?;
    let slots = room / PAGE_SIZE_4K + 1;
    // Widening multiply: uniform over slots without the bias of a modulo.
    let slot = ((u128::from(random) * slots as u128) >> 64) as usize;
    Some(start + slot * PAGE_SIZE_4K)
}

fn check_pages(pages: &VdsoPages) -> HookResult {
    let aligned = |x: usize| x % PAGE_SIZE_4K == 0;
    if !(aligned(pages.vvar_kernel_addr)
        && aligned(pages.vvar_size)
        && aligned(pages.text_kernel_addr)
        && aligned(pages.text_size))
        || pages.vvar_size == 0
        || pages.text_size == 0
        || pages
            .sigreturn_offset
            .is_some_and(|off| off >= pages.text_size)
    {
        return Err(HookError::InvalidInput);
    }
    Ok(())
}

/// Maps `pages` at a random base inside the address space's special-mapping
/// window, points the program's signal return at the image's sigreturn code
/// (if it has one) and pushes `AT_SYSINFO_EHDR`.
///
/// On error nothing stays mapped and the signal return is the kernel's default.
pub fn map_vdso(uspace: &mut dyn UserSpaceIf, pages: &VdsoPages) -> HookResult<VdsoLayout> {
    check_pages(pages)?;
    let size = pages
        .vvar_size
        .checked_add(pages.text_size)
        .ok_or(HookError::InvalidInput)?;
    let window = uspace.special_mapping_window();
    let hint = pick_base(&window, size, uspace.random_u64()).ok_or(HookError::NoSpace)?;
    // The random base, or the first free range above it, or anywhere in the window.
    let base = uspace
        .find_free_range(hint, size, window.clone(), PAGE_SIZE_4K)
        .or_else(|| uspace.find_free_range(window.start, size, window.clone(), PAGE_SIZE_4K))
        .ok_or(HookError::NoSpace)?;
    // The kernel's answer is checked, not trusted: the mappings must lie in
    // the window.
    if base < window.start
        || base.checked_add(size).is_none_or(|end| end > window.end)
        || base % PAGE_SIZE_4K != 0
    {
        return Err(HookError::NoSpace);
    }
    let text_start = base + pages.vvar_size;
    let layout = VdsoLayout {
        vvar_start: base,
        text_start,
        size,
        signal_return: pages.sigreturn_offset.map(|off| text_start + off),
    };

    uspace.map_kernel_pages(
        layout.vvar_start,
        pages.vvar_kernel_addr,
        pages.vvar_size,
        UserPerm::READ,
        "[vvar]",
    )?;
    let rest = uspace
        .map_kernel_pages(
            layout.text_start,
            pages.text_kernel_addr,
            pages.text_size,
            UserPerm::READ | UserPerm::EXECUTE,
            "[vdso]",
        )
        .and_then(|()| {
            uspace
                .set_signal_return(layout.signal_return)
                .and_then(|()| uspace.push_aux(AT_SYSINFO_EHDR, layout.text_start))
                .inspect_err(|_| {
                    let _ = uspace.set_signal_return(None);
                    let _ = uspace.unmap(layout.text_start, pages.text_size);
                })
        });
    if let Err(err) = rest {
        // Best effort: the mapping was just made by us and unmapping it cannot
        // meet anything else; the original error is what the kernel logs.
        let _ = uspace.unmap(layout.vvar_start, pages.vvar_size);
        return Err(err);
    }
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_base_spans_the_window_uniformly() {
        let window = 0x10_0000_0000..0x20_0000_0000;
        let size = 0x3000;
        assert_eq!(pick_base(&window, size, 0), Some(window.start));
        let last = pick_base(&window, size, u64::MAX).unwrap();
        assert_eq!(last, window.end - size);
        let mid = pick_base(&window, size, 1 << 63).unwrap();
        assert!((mid - window.start).abs_diff(window.end - size - mid) <= PAGE_SIZE_4K);
        for r in [1u64, 0xdead_beef, 0x1234_5678_9abc_def0] {
            let b = pick_base(&window, size, r).unwrap();
            assert_eq!(b % PAGE_SIZE_4K, 0);
            assert!(b >= window.start && b + size <= window.end);
        }
    }

    #[test]
    fn pick_base_rejects_small_or_inverted_windows() {
        assert_eq!(pick_base(&(0x1000..0x3000), 0x3000, 7), None);
        let inverted = Range {
            start: 0x5000,
            end: 0x1000,
        };
        assert_eq!(pick_base(&inverted, 0x1000, 7), None);
        assert_eq!(pick_base(&(0x1000..0x4000), 0x3000, u64::MAX), Some(0x1000));
        // An unaligned window start is rounded up.
        assert_eq!(pick_base(&(0x1001..0x5000), 0x3000, 0), Some(0x2000));
    }
}
