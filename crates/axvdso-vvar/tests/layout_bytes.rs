//! The pages as bytes: every field the vDSO reads is at its Linux 6.1 offset.

mod common;

use std::sync::atomic::Ordering::Relaxed;

use axvdso_vvar::{VVAR_SIZE, VvarPages, VvarWriter};
use starry_hooks::testing::FakeClock;

const RECORD_SIZE: usize = 240;

fn u32_at(bytes: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(bytes[off..off + 4].try_into().unwrap())
}

fn i32_at(bytes: &[u8], off: usize) -> i32 {
    i32::from_ne_bytes(bytes[off..off + 4].try_into().unwrap())
}

fn u64_at(bytes: &[u8], off: usize) -> u64 {
    u64::from_ne_bytes(bytes[off..off + 8].try_into().unwrap())
}

/// The pages as raw bytes, as a mapping in user space sees them.
fn page_bytes(pages: &VvarPages) -> Vec<u8> {
    let ptr = std::ptr::from_ref(pages).cast::<u8>();
    // SAFETY: 1. `pages` is a live reference to VVAR_SIZE initialised bytes
    // (`VvarPages` is `repr(C)`, all atomics and zeroed padding arrays, with no
    // implicit padding: the layout asserts pin every offset and the size).
    // 2. No writer runs while the bytes are copied: the writer is only used
    // by this thread, and the copy ends before this function returns.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, VVAR_SIZE) };
    bytes.to_vec()
}

#[test]
fn fields_sit_at_linux_offsets() {
    let pages = Box::new(VvarPages::new());
    let writer = VvarWriter::new(&pages);
    // 10 MHz; counter chosen so that every byte of cycle_last differs.
    let counter = 0x0102_0304_0506_0708_u64;
    let offset = 1_700_000_000_123_456_789_u64;
    let clock = FakeClock::new(10_000_000, counter).with_wall_offset_nanos(offset);
    writer.init(&clock);
    // The kernel never sets a timezone (Starry has no settimeofday): store it
    // as a writer would, to find it at its offset.
    for data in &pages.data {
        data.tz_minuteswest.store(-120, Relaxed);
        data.tz_dsttime.store(1, Relaxed);
    }
    let bytes = page_bytes(&pages);

    let mono_ns = counter as u128 * 100;
    let wall_ns = mono_ns + offset as u128;
    let split = |ns: u128, shift: u32| {
        (
            (ns / 1_000_000_000) as u64,
            ((ns % 1_000_000_000) << shift) as u64,
        )
    };
    let (mono_sec, mono_nsec) = split(mono_ns, 24);
    let (wall_sec, wall_nsec) = split(wall_ns, 24);
    let basetime = |record: usize, id: usize| record * RECORD_SIZE + 32 + 16 * id;

    for record in 0..2 {
        let r = record * RECORD_SIZE;
        assert_eq!(u32_at(&bytes, r), 2, "seq: after init");
        assert_eq!(i32_at(&bytes, r + 4), 1, "clock_mode ARCHTIMER");
        assert_eq!(u64_at(&bytes, r + 8), counter, "cycle_last");
        assert_eq!(u64_at(&bytes, r + 16), u64::MAX, "mask");
        assert_eq!(u32_at(&bytes, r + 24), 100 << 24, "mult");
        assert_eq!(u32_at(&bytes, r + 28), 24, "shift");
        assert_eq!(i32_at(&bytes, r + 224), -120, "tz_minuteswest");
        assert_eq!(i32_at(&bytes, r + 228), 1, "tz_dsttime");
        assert_eq!(u32_at(&bytes, r + 232), 100, "hrtimer_res");
        assert_eq!(u32_at(&bytes, r + 236), 10_000_000, "coarse_res");
    }
    let ts = |record, id| {
        (
            u64_at(&bytes, basetime(record, id)),
            u64_at(&bytes, basetime(record, id) + 8),
        )
    };
    assert_eq!(ts(0, 0), (wall_sec, wall_nsec), "REALTIME");
    assert_eq!(ts(0, 1), (mono_sec, mono_nsec), "MONOTONIC");
    assert_eq!(ts(0, 5), (wall_sec, wall_nsec >> 24), "REALTIME_COARSE");
    assert_eq!(ts(0, 6), (mono_sec, mono_nsec >> 24), "MONOTONIC_COARSE");
    assert_eq!(ts(0, 7), (mono_sec, mono_nsec), "BOOTTIME");
    assert_eq!(ts(0, 11), (wall_sec, wall_nsec), "TAI");
    assert_eq!(ts(1, 4), (mono_sec, mono_nsec), "MONOTONIC_RAW");
    for (record, id) in [(0, 2), (0, 3), (0, 4), (0, 8), (0, 9), (0, 10)]
        .into_iter()
        .chain((0..12).filter(|&id| id != 4).map(|id| (1, id)))
    {
        assert_eq!(
            ts(record, id),
            (0, 0),
            "unused slot {id} of record {record}"
        );
    }
    // The rest of page 0, and the whole time-namespace page, stay zero.
    assert!(bytes[2 * RECORD_SIZE..].iter().all(|&b| b == 0));
}

#[test]
fn zeroed_pages_send_every_call_to_the_syscall() {
    let pages = Box::new(VvarPages::new());
    let bytes = page_bytes(&pages);
    assert_eq!(bytes.len(), VVAR_SIZE);
    assert!(bytes.iter().all(|&b| b == 0));
    assert_eq!(i32_at(&bytes, 4), axvdso_vvar::VDSO_CLOCKMODE_NONE);
}
