//! The writer lock: at most one CPU writes the vvar pages at a time.

use core::sync::atomic::{AtomicBool, Ordering};

/// A spin lock without data: it serialises writers, the data it guards lives
/// in the vvar pages and in the writer's atomics.
pub(crate) struct WriterLock(AtomicBool);

/// Proof that the lock is held; releases it on drop.
pub(crate) struct WriterGuard<'a>(&'a AtomicBool);

impl WriterLock {
    /// An unlocked lock.
    pub(crate) const fn new() -> Self {
        Self(AtomicBool::new(false))
    }

    /// Takes the lock if it is free; never waits.
    pub(crate) fn try_lock(&self) -> Option<WriterGuard<'_>> {
        // Acquire on success: the previous holder's writes (to the pages and
        // the cached parameters) are visible to this holder.
        self.0
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| WriterGuard(&self.0))
    }

    /// Takes the lock, spinning until it is free.
    pub(crate) fn lock(&self) -> WriterGuard<'_> {
        loop {
            if let Some(guard) = self.try_lock() {
                return guard;
            }
            // Relaxed: only a hint to avoid hammering the line with failed
            // compare-exchanges; `try_lock` does the ordering.
            while self.0.load(Ordering::Relaxed) {
                core::hint::spin_loop();
            }
        }
    }
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        // Release: this holder's writes are visible to the next one.
        self.0.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn try_lock_fails_while_held_and_succeeds_after() {
        let lock = WriterLock::new();
        let guard = lock.try_lock().expect("free lock");
        assert!(lock.try_lock().is_none());
        drop(guard);
        let _guard = lock.lock();
        assert!(lock.try_lock().is_none());
    }

    #[test]
    fn lock_waits_for_the_holder() {
        use std::{
            sync::{Arc, atomic::AtomicU32},
            thread,
            time::Duration,
        };

        let lock = Arc::new(WriterLock::new());
        let counter = Arc::new(AtomicU32::new(0));
        let guard = lock.lock();
        let waiter = {
            let (lock, counter) = (Arc::clone(&lock), Arc::clone(&counter));
            thread::spawn(move || {
                let _guard = lock.lock();
                counter.load(Ordering::Relaxed)
            })
        };
        thread::sleep(Duration::from_millis(20));
        counter.store(1, Ordering::Relaxed);
        drop(guard);
        assert_eq!(waiter.join().unwrap(), 1);
    }
}
