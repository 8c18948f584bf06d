//! A loom model of the seqcount: every interleaving and every value the Rust
//! memory model lets a load return, for one writer publishing updates to two
//! records against one reader following the vDSO's read protocol.
//!
//! The writer and the reader run the crate's own protocol (`SeqCount`'s
//! provided methods and `write_sections`, as `VvarWriter` and the vDSO do)
//! over loom's atomics, so a weakened ordering or a missing fence in them
//! makes this test fail.
//!
//! Run it with `make loom`, i.e.
//! `RUSTFLAGS="--cfg loom" cargo test -p axvdso-vvar --test loom_seq --release`.
//! `LOOM_MAX_PREEMPTIONS` (default 3 here) bounds the search.

#![cfg(loom)]

use std::sync::atomic::Ordering;

use axvdso_vvar::{SeqCount, write_sections};
use loom::{
    sync::{
        Arc,
        atomic::{AtomicU32, AtomicU64, fence},
    },
    thread,
};

/// Updates the writer publishes; update `n` writes `n` to every field and
/// leaves each count at `2 * n`.
const UPDATES: u64 = 2;

/// A record's count, over loom's atomics.
struct Count(AtomicU32);

impl SeqCount for Count {
    fn load(&self, order: Ordering) -> u32 {
        self.0.load(order)
    }

    fn store(&self, count: u32, order: Ordering) {
        self.0.store(count, order);
    }

    fn fence(order: Ordering) {
        fence(order);
    }

    fn spin_loop() {
        loom::hint::spin_loop();
    }
}

/// A record: its count and two fields that every update writes, in order,
/// with the same value.
struct Record {
    seq: Count,
    first: AtomicU64,
    second: AtomicU64,
}

impl Record {
    fn new() -> Self {
        Self {
            seq: Count(AtomicU32::new(0)),
            first: AtomicU64::new(0),
            second: AtomicU64::new(0),
        }
    }

    /// Reads both fields as the vDSO does: take an even count, load the
    /// fields (`Relaxed`), retry if the count moved. Returns the count too.
    fn read(&self) -> (u32, u64, u64) {
        loop {
            let start = self.seq.read_begin();
            let first = self.first.load(Ordering::Relaxed);
            let second = self.second.load(Ordering::Relaxed);
            if !self.seq.read_retry(start) {
                return (start, first, second);
            }
        }
    }
}

#[test]
fn a_reader_never_accepts_a_torn_or_stale_record() {
    let mut model = loom::model::Builder::new();
    if model.preemption_bound.is_none() {
        model.preemption_bound = Some(3);
    }
    model.check(|| {
        let records = Arc::new([Record::new(), Record::new()]);
        let writer = {
            let records = Arc::clone(&records);
            thread::spawn(move || {
                for update in 1..=UPDATES {
                    // Both records in one write section each, as
                    // `VvarWriter` writes `CS_HRES_COARSE` and `CS_RAW`.
                    write_sections([&records[0].seq, &records[1].seq], || {
                        for record in records.iter() {
                            record.first.store(update, Ordering::Relaxed);
                            record.second.store(update, Ordering::Relaxed);
                        }
                    });
                }
            })
        };
        for (index, record) in records.iter().enumerate() {
            let (seq, first, second) = record.read();
            // An accepted read is exactly the update its even count closed:
            // neither a mix of two updates nor older than the count says.
            let update = u64::from(seq / 2);
            assert_eq!(
                (first, second),
                (update, update),
                "record {index}: accepted a torn or stale read at count {seq}"
            );
        }
        writer.join().unwrap();
        for record in records.iter() {
            assert_eq!(record.seq.load(Ordering::Relaxed), 2 * UPDATES as u32);
        }
    });
}
