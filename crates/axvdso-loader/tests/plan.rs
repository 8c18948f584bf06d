//! The mapping plan against a recording mock of the kernel's address space.

use std::{collections::HashSet, ops::Range};

use axvdso_loader::{VdsoPages, map_vdso};
use starry_hooks::{AT_SYSINFO_EHDR, HookError, HookResult, UserPerm, UserSpaceIf};

const PAGE: usize = 4096;
const WINDOW: Range<usize> = 0x10_0000_0000..0x20_0000_0000;

#[derive(Debug, Clone, PartialEq)]
struct Mapping {
    start: usize,
    size: usize,
    kernel: usize,
    perm: UserPerm,
    name: &'static str,
}

/// Tracks mappings like an address space would; can be told to fail a step.
struct MockSpace {
    maps: Vec<Mapping>,
    occupied: Vec<Range<usize>>,
    aux: Vec<(usize, usize)>,
    /// `None`: the kernel's default signal return.
    signal_return: Option<usize>,
    random: u64,
    fail_map_named: Option<&'static str>,
    fail_aux: bool,
    fail_signal_return: bool,
}

impl MockSpace {
    fn new(random: u64) -> Self {
        Self {
            maps: Vec::new(),
            occupied: Vec::new(),
            aux: Vec::new(),
            signal_return: None,
            random,
            fail_map_named: None,
            fail_aux: false,
            fail_signal_return: false,
        }
    }

    fn is_free(&self, start: usize, size: usize) -> bool {
        let end = start + size;
        self.occupied
            .iter()
            .all(|r| end <= r.start || start >= r.end)
            && self
                .maps
                .iter()
                .all(|m| end <= m.start || start >= m.start + m.size)
    }
}

impl UserSpaceIf for MockSpace {
    fn user_range(&self) -> Range<usize> {
        0x1000..0x40_0000_0000
    }
    fn special_mapping_window(&self) -> Range<usize> {
        WINDOW
    }
    fn find_free_range(
        &self,
        hint: usize,
        size: usize,
        limit: Range<usize>,
        align: usize,
    ) -> Option<usize> {
        let mut at = hint.max(limit.start).next_multiple_of(align);
        while at + size <= limit.end {
            if self.is_free(at, size) {
                return Some(at);
            }
            at += align;
        }
        None
    }
    fn map_kernel_pages(
        &mut self,
        start: usize,
        kernel: usize,
        size: usize,
        perm: UserPerm,
        name: &'static str,
    ) -> HookResult {
        if self.fail_map_named == Some(name) {
            return Err(HookError::NoMemory);
        }
        if !self.is_free(start, size) {
            return Err(HookError::AlreadyMapped);
        }
        self.maps.push(Mapping {
            start,
            size,
            kernel,
            perm,
            name,
        });
        Ok(())
    }
    fn unmap(&mut self, start: usize, size: usize) -> HookResult {
        let before = self.maps.len();
        self.maps.retain(|m| !(m.start == start && m.size == size));
        assert_eq!(
            before,
            self.maps.len() + 1,
            "unmap of a range that was not mapped"
        );
        Ok(())
    }
    fn set_signal_return(&mut self, user_addr: Option<usize>) -> HookResult {
        if self.fail_signal_return && user_addr.is_some() {
            return Err(HookError::InvalidInput);
        }
        self.signal_return = user_addr;
        Ok(())
    }
    fn push_aux(&mut self, key: usize, value: usize) -> HookResult {
        if self.fail_aux {
            return Err(HookError::Unsupported);
        }
        self.aux.push((key, value));
        Ok(())
    }
    fn random_u64(&mut self) -> u64 {
        self.random
    }
}

const PAGES: VdsoPages = VdsoPages {
    vvar_kernel_addr: 0xffff_ffc0_8040_0000,
    vvar_size: 2 * PAGE,
    text_kernel_addr: 0xffff_ffc0_8050_0000,
    text_size: 2 * PAGE,
    sigreturn_offset: Some(0x508),
};

#[test]
fn maps_vvar_below_text_with_exact_sizes_and_permissions() {
    let mut space = MockSpace::new(0x1234_5678_9abc_def0);
    let layout = map_vdso(&mut space, &PAGES).unwrap();
    assert_eq!(layout.text_start, layout.vvar_start + PAGES.vvar_size);
    assert_eq!(layout.size, 4 * PAGE);
    assert_eq!(
        space.maps,
        vec![
            Mapping {
                start: layout.vvar_start,
                size: PAGES.vvar_size,
                kernel: PAGES.vvar_kernel_addr,
                perm: UserPerm::READ,
                name: "[vvar]",
            },
            Mapping {
                start: layout.text_start,
                size: PAGES.text_size,
                kernel: PAGES.text_kernel_addr,
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
            let mut space = MockSpace::new(i.wrapping_mul(u64::MAX / n));
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
    let mut probe = MockSpace::new(42);
    let wanted = map_vdso(&mut probe, &PAGES).unwrap().vvar_start;
    let mut space = MockSpace::new(42);
    space.occupied.push(wanted..wanted + 3 * PAGE);
    let layout = map_vdso(&mut space, &PAGES).unwrap();
    assert_eq!(layout.vvar_start, wanted + 3 * PAGE);
}

#[test]
fn a_full_window_is_no_space_and_maps_nothing() {
    let mut space = MockSpace::new(7);
    space.occupied.push(WINDOW);
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::NoSpace));
    assert!(space.maps.is_empty() && space.aux.is_empty());
}

#[test]
fn a_failed_text_mapping_unmaps_the_vvar_pages() {
    let mut space = MockSpace::new(7);
    space.fail_map_named = Some("[vdso]");
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::NoMemory));
    assert!(space.maps.is_empty() && space.aux.is_empty());
}

#[test]
fn a_failed_vvar_mapping_maps_nothing() {
    let mut space = MockSpace::new(7);
    space.fail_map_named = Some("[vvar]");
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::NoMemory));
    assert!(space.maps.is_empty());
}

#[test]
fn a_failed_aux_push_unmaps_everything() {
    let mut space = MockSpace::new(7);
    space.fail_aux = true;
    assert_eq!(map_vdso(&mut space, &PAGES), Err(HookError::Unsupported));
    assert!(space.maps.is_empty());
    assert_eq!(
        space.signal_return, None,
        "signal return left in an unmapped vDSO"
    );
}

#[test]
fn a_failed_signal_return_unmaps_everything() {
    let mut space = MockSpace::new(7);
    space.fail_signal_return = true;
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
    let mut space = MockSpace::new(7);
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
        let mut space = MockSpace::new(7);
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
    let mut space = MockSpace::new(7);
    assert_eq!(map_vdso(&mut space, &pages), Err(HookError::InvalidInput));
    assert!(space.maps.is_empty() && space.aux.is_empty());
}
