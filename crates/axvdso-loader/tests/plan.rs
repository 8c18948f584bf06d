//! The mapping plan against a recording fake of the kernel's address space.

use std::collections::HashSet;

use axvdso_loader::{VdsoPages, map_vdso};
use starry_hooks::{
    AT_SYSINFO_EHDR, HookError, UserPerm,
    testing::{Mapping, RecordingSpace},
};

use axvdso_vvar::PAGE_SIZE_4K as PAGE;
const WINDOW: std::ops::Range<usize> = RecordingSpace::WINDOW;

const PAGES: VdsoPages = VdsoPages {
    vvar_kernel_addr: 0xffff_ffc0_8040_0000,
    vvar_size: 2 * PAGE,
    text_kernel_addr: 0xffff_ffc0_8050_0000,
    text_size: 2 * PAGE,
    sigreturn_offset: Some(0x508),
};

#[test]
fn maps_vvar_below_text_with_exact_sizes_and_permissions() {
    let mut space = RecordingSpace::new(0x1234_5678_9abc_def0);
    let layout = map_vdso(&mut space, &PAGES).unwrap();
    assert_eq!(layout.text_start, layout.vvar_start + PAGES.vvar_size);
    assert_eq!(layout.size, 4 * PAGE);
    assert_eq!(
        space.maps,
        vec![
            Mapping {
                start: layout.vvar_start,
                size: PAGES.vvar_size,
                kernel_vaddr: PAGES.vvar_kernel_addr,
                perm: UserPerm::READ,
                name: "[vvar]",
            },
            Mapping {
                start: layout.text_start,
                size: PAGES.text_size,
                kernel_vaddr: PAGES.text_kernel_addr,
                perm: UserPerm::READ | UserPerm::EXECUTE,
                name: "[vdso]",
            },
        ]
    );
    assert!(!space.maps[0].perm.contains(UserPerm::WRITE));
    assert!(!space.maps[1].perm.contains(UserPerm::WRITE));
    assert_eq!(space.aux, vec![(AT_SYSINFO_EHDR, layout.text_start)]);
    assert_eq!(layout.signal_return, Some(layout.text_start + 0x508));
    assert_eq!(space.signal_return, layout.signal_return);
    assert!(WINDOW.contains(&layout.vvar_start) && layout.vvar_start + layout.size <= WINDOW.end);
}

#[test]
fn base_is_random_with_at_least_16_bits_of_entropy() {
    // 2^17 evenly spread random inputs must give 2^17 distinct page bases.
    let n = 1u64 << 17;
    let bases: HashSet<usize> = (0..n)
        .map(|i| {
            let mut space = RecordingSpace::new(i.wrapping_mul(u64::MAX / n));
            map_vdso(&mut space, &PAGES).unwrap().vvar_start
        })
        .collect();
    assert_eq!(bases.len() as u64, n);
    let slots = (WINDOW.len() - 4 * PAGE) / PAGE + 1;
    assert!(
        slots.ilog2() >= 16,
        "window gives only {} bits",
        slots.ilog2()
    );
}

#[test]
fn an_occupied_random_base_moves_to_the_next_free_range() {
    let mut probe = RecordingSpace::new(42);
    let wanted = map_vdso(&mut probe, &PAGES).unwrap().vvar_start;
    let mut space = RecordingSpace::new(42);
    space.occupied.push(wanted..wanted + 3 * PAGE);
    let layout = map_vdso(&mut space, &PAGES).unwrap();
    assert_eq!(layout.vvar_start, wanted + 3 * PAGE);
}

#[test]
fn a_full_window_is_no_space_and_maps_nothing() {
    let mut space = RecordingSpace::new(7);
    space.occupied.push(WINDOW);
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::NoSpace));
    assert!(space.maps.is_empty() && space.aux.is_empty());
}

#[test]
fn a_failed_text_mapping_unmaps_the_vvar_pages() {
    let mut space = RecordingSpace::new(7);
    space.fail_map = Some(("[vdso]", HookError::NoMemory));
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::NoMemory));
    assert!(space.maps.is_empty() && space.aux.is_empty());
}

#[test]
fn a_failed_vvar_mapping_maps_nothing() {
    let mut space = RecordingSpace::new(7);
    space.fail_map = Some(("[vvar]", HookError::NoMemory));
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::NoMemory));
    assert!(space.maps.is_empty());
}

#[test]
fn a_failed_aux_push_unmaps_everything() {
    let mut space = RecordingSpace::new(7);
    space.fail_aux = Some(HookError::Unsupported);
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::Unsupported));
    assert!(space.maps.is_empty());
    assert_eq!(
        space.signal_return, None,
        "signal return left in an unmapped vDSO"
    );
}

#[test]
fn a_failed_signal_return_unmaps_everything() {
    let mut space = RecordingSpace::new(7);
    space.fail_signal_return = Some(HookError::InvalidInput);
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::InvalidInput));
    assert!(space.maps.is_empty() && space.aux.is_empty());
    assert_eq!(space.signal_return, None);
}

#[test]
fn an_image_without_sigreturn_code_keeps_the_default() {
    let pages = VdsoPages {
        sigreturn_offset: None,
        ..PAGES
    };
    let mut space = RecordingSpace::new(7);
    let layout = map_vdso(&mut space, &pages).unwrap();
    assert_eq!(layout.signal_return, None);
    assert_eq!(space.signal_return, None);
    assert_eq!(space.aux, vec![(AT_SYSINFO_EHDR, layout.text_start)]);
}

#[test]
fn unaligned_or_empty_pages_are_rejected() {
    for pages in [
        VdsoPages {
            vvar_kernel_addr: PAGES.vvar_kernel_addr + 8,
            ..PAGES
        },
        VdsoPages {
            text_size: PAGE + 1,
            ..PAGES
        },
        VdsoPages {
            vvar_size: 0,
            ..PAGES
        },
        VdsoPages {
            sigreturn_offset: Some(PAGES.text_size),
            ..PAGES
        },
    ] {
        let mut space = RecordingSpace::new(7);
        assert_eq!(map_vdso(&mut space, &pages), Err(HookError::InvalidInput));
        assert!(space.maps.is_empty());
    }
}

#[test]
fn sizes_that_overflow_are_rejected() {
    let pages = VdsoPages {
        vvar_size: usize::MAX - PAGE + 1,
        ..PAGES
    };
    let mut space = RecordingSpace::new(7);
    assert_eq!(map_vdso(&mut space, &pages), Err(HookError::InvalidInput));
    assert!(space.maps.is_empty() && space.aux.is_empty());
}
