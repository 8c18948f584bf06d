//! The seqcount that lets user space read a record while the kernel rewrites it.
//!
//! One writer at a time (the [`VvarWriter`](crate::VvarWriter) lock guarantees
//! it) makes the count odd, writes the record, and makes it even again. A
//! reader takes an even count, reads, and retries if the count has changed
//! since: then it may have seen a half-written record.
//!
//! The record's fields are atomics accessed with `Ordering::Relaxed`; the
//! fences and orderings below are what order them against the count. This is
//! the fence-based seqlock of Boehm, "Can seqlocks get along with programming
//! language memory models?" (MSPC 2012), which is data-race free in the Rust
//! (C++20) memory model.
//!
//! The protocol is written once, in [`SeqCount`]'s provided methods, over the
//! few atomic operations it needs: the vvar page's count is core's
//! `AtomicU32`, and the loom model (`tests/loom_seq.rs`, `make loom`) runs the
//! same methods over loom's atomics.
//!
//! The reader half is what the vDSO uses: it is `#[inline(always)]`, has no
//! panic path and compiles to a few loads and fences.

use core::sync::atomic::{AtomicU32, Ordering, fence};

use crate::VdsoData;

/// A sequence count, and the seqcount protocol over it.
///
/// An implementation supplies the four atomic operations; the protocol
/// (`read_begin`, `read_retry`, `write_begin`, `write_end`) is provided and
/// must not be overridden. `pub` only for the loom model's re-export.
pub trait SeqCount {
    /// Loads the count.
    fn load(&self, order: Ordering) -> u32;

    /// Stores `count` (the writer's half only).
    #[cfg(any(feature = "kernel", loom))]
    fn store(&self, count: u32, order: Ordering);

    /// A fence in the memory model of the count.
    fn fence(order: Ordering);

    /// A hint that the caller spins (a point to switch threads, for a model
    /// checker).
    fn spin_loop();

    /// [`read_begin`](crate::read_begin) of this count.
    #[inline(always)]
    fn read_begin(&self) -> u32 {
        loop {
            // Acquire: the record loads that follow cannot be performed before
            // this load, and a count stored by `write_end` (Release) makes the
            // whole record it closed visible to them.
            let seq = self.load(Ordering::Acquire);
            if seq & 1 == 0 {
                return seq;
            }
            Self::spin_loop();
        }
    }

    /// [`read_retry`](crate::read_retry) of this count.
    #[inline(always)]
    #[must_use]
    fn read_retry(&self, start: u32) -> bool {
        // Acquire fence: the record loads above cannot be reordered after the
        // count load below. If any of them saw a value stored after
        // `write_begin`'s release fence, this fence synchronises with it and
        // the count load is guaranteed to see at least the odd count, so the
        // read is retried.
        Self::fence(Ordering::Acquire);
        self.load(Ordering::Relaxed) != start
    }

    /// Starts a write: makes the count odd. Only the one writer may call this.
    #[cfg(any(feature = "kernel", loom))]
    #[inline]
    fn write_begin(&self) {
        // Relaxed load: only the writer stores the count, so it reads its own
        // last store.
        let seq = self.load(Ordering::Relaxed);
        debug_assert!(seq & 1 == 0, "vvar write_begin: count {seq} is already odd");
        self.store(seq.wrapping_add(1), Ordering::Relaxed);
        // Release fence: the record stores that follow cannot become visible
        // before the odd count. A reader that sees any of them then sees the
        // odd (or a later) count in `read_retry` and retries.
        Self::fence(Ordering::Release);
    }

    /// Ends a write started with [`write_begin`](Self::write_begin): makes the
    /// count even.
    #[cfg(any(feature = "kernel", loom))]
    #[inline]
    fn write_end(&self) {
        let seq = self.load(Ordering::Relaxed);
        debug_assert!(
            seq & 1 == 1,
            "vvar write_end: count {seq} is even, no write in progress"
        );
        // Release store: every record store above becomes visible no later
        // than the even count, so a reader whose `read_begin` sees this count
        // sees the complete record.
        self.store(seq.wrapping_add(1), Ordering::Release);
    }
}

impl SeqCount for AtomicU32 {
    #[inline(always)]
    fn load(&self, order: Ordering) -> u32 {
        AtomicU32::load(self, order)
    }

    #[cfg(any(feature = "kernel", loom))]
    #[inline(always)]
    fn store(&self, count: u32, order: Ordering) {
        AtomicU32::store(self, count, order);
    }

    #[inline(always)]
    fn fence(order: Ordering) {
        fence(order);
    }

    #[inline(always)]
    fn spin_loop() {
        core::hint::spin_loop();
    }
}

/// Runs `write` inside the write sections of all `counts`: every count is made
/// odd, in order, before it, and even again after it. Only the one writer may
/// call this.
#[cfg(any(feature = "kernel", loom))]
#[inline]
pub fn write_sections<C: SeqCount, const N: usize>(counts: [&C; N], write: impl FnOnce()) {
    for count in counts {
        count.write_begin();
    }
    write();
    for count in counts {
        count.write_end();
    }
}

/// Starts a read of `data`: waits until no write is in progress and returns
/// the (even) count to hand to [`read_retry`].
///
/// Spins while the count is odd, so a writer must not be preempted inside its
/// write section (the kernel keeps it short, with IRQs off).
#[inline(always)]
pub fn read_begin(data: &VdsoData) -> u32 {
    data.seq.read_begin()
}

/// Ends a read of `data` started with [`read_begin`]: returns `true` if a write
/// may have overlapped it, in which case the values read must be discarded and
/// the read repeated.
#[inline(always)]
#[must_use]
pub fn read_retry(data: &VdsoData, start: u32) -> bool {
    data.seq.read_retry(start)
}

#[cfg(test)]
mod tests {
    use core::sync::atomic::Ordering;

    use super::*;

    #[test]
    fn fresh_record_reads_without_retry() {
        let data = VdsoData::default();
        let start = read_begin(&data);
        assert_eq!(start, 0);
        assert!(!read_retry(&data, start));
    }

    #[test]
    fn a_changed_count_forces_a_retry() {
        let data = VdsoData::default();
        let start = read_begin(&data);
        data.seq.store(2, Ordering::Relaxed);
        assert!(read_retry(&data, start));
        assert_eq!(read_begin(&data), 2);
    }

    #[cfg(feature = "kernel")]
    #[test]
    fn write_section_is_odd_inside_and_even_after() {
        let data = VdsoData::default();
        for round in 0..3u32 {
            let start = read_begin(&data);
            assert_eq!(start, 2 * round);
            data.seq.write_begin();
            assert_eq!(data.seq.load(Ordering::Relaxed) & 1, 1);
            // A reader that started before the write must retry.
            assert!(read_retry(&data, start));
            data.seq.write_end();
            assert_eq!(data.seq.load(Ordering::Relaxed), 2 * round + 2);
            assert!(read_retry(&data, start));
        }
    }

    #[cfg(feature = "kernel")]
    #[test]
    fn count_wraps_around_and_stays_even() {
        let data = VdsoData::default();
        data.seq.store(u32::MAX - 1, Ordering::Relaxed);
        data.seq.write_begin();
        data.seq.write_end();
        assert_eq!(data.seq.load(Ordering::Relaxed), 0);
    }

    #[cfg(all(feature = "kernel", debug_assertions))]
    #[test]
    #[should_panic(expected = "already odd")]
    fn nested_write_begin_is_caught() {
        let data = VdsoData::default();
        data.seq.write_begin();
        data.seq.write_begin();
    }

    #[cfg(all(feature = "kernel", debug_assertions))]
    #[test]
    #[should_panic(expected = "no write in progress")]
    fn unpaired_write_end_is_caught() {
        VdsoData::default().seq.write_end();
    }

    #[test]
    fn reader_waits_for_an_odd_count_to_clear() {
        use std::{sync::Arc, thread, time::Duration};

        let data = Arc::new(VdsoData::default());
        data.seq.store(1, Ordering::Relaxed);
        let writer = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(20));
                data.seq.store(2, Ordering::Release);
            })
        };
        assert_eq!(read_begin(&data), 2);
        writer.join().unwrap();
    }
}
