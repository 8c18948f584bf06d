//! The data pages in the Linux 6.1 layout (`include/vdso/datapage.h`).
//!
//! Two pages sit directly below the vDSO text: page 0 holds `vdso_data[2]`
//! and, right after them (offset 480, Linux 6.12 arm64's
//! `__VDSO_RND_DATA_OFFSET`), `vdso_rng_data` for `getrandom`; page 1 is the
//! time-namespace page (read only when `clock_mode` is
//! [`VDSO_CLOCKMODE_TIMENS`]; we never set that mode, so it stays zero).
//!
//! Every field is an atomic so that the kernel writer and the user-space
//! readers (the vDSO) share the memory without data races; the seqcount
//! ([`read_begin`](crate::read_begin), [`read_retry`](crate::read_retry))
//! orders them. Readers load fields with `Ordering::Relaxed` between the two.

use core::sync::atomic::{AtomicI32, AtomicU8, AtomicU32, AtomicU64, Ordering};

use axvdso_abi::{PAGE_SIZE_4K, VVAR_NR_PAGES, clock_id};

/// Size of the vvar area, in bytes.
pub const VVAR_SIZE: usize = VVAR_NR_PAGES * PAGE_SIZE_4K;

/// Index in `vdso_data[]` of the record for the high-resolution and coarse clocks.
pub const CS_HRES_COARSE: usize = 0;
/// Index in `vdso_data[]` of the record for `CLOCK_MONOTONIC_RAW`.
pub const CS_RAW: usize = 1;
/// Number of records in `vdso_data[]`.
pub const CS_BASES: usize = 2;

/// Number of `basetime` slots (indexed by clock id).
pub const VDSO_BASES: usize = 12;

/// `clock_mode`: no usable counter, every call takes the syscall.
pub const VDSO_CLOCKMODE_NONE: i32 = 0;
/// `clock_mode`: the architecture counter is usable from user space.
pub const VDSO_CLOCKMODE_ARCHTIMER: i32 = 1;
/// `clock_mode`: this record is a time-namespace page (never set by us).
pub const VDSO_CLOCKMODE_TIMENS: i32 = i32::MAX;

/// Clocks served with counter interpolation from record [`CS_HRES_COARSE`].
pub const VDSO_HRES: u32 = (1 << clock_id::REALTIME)
    | (1 << clock_id::MONOTONIC)
    | (1 << clock_id::BOOTTIME)
    | (1 << clock_id::TAI);
/// Clocks served as of the last update (tick) from record [`CS_HRES_COARSE`].
pub const VDSO_COARSE: u32 = (1 << clock_id::REALTIME_COARSE) | (1 << clock_id::MONOTONIC_COARSE);
/// Clocks served with counter interpolation from record [`CS_RAW`].
pub const VDSO_RAW: u32 = 1 << clock_id::MONOTONIC_RAW;

/// One `basetime` slot: the time of one clock at `cycle_last`.
#[repr(C)]
#[derive(Default)]
pub struct VdsoTimestamp {
    /// Whole seconds.
    pub sec: AtomicU64,
    /// Nanoseconds within the second. For the high-resolution clocks this is
    /// shifted left by the record's `shift` and keeps the sub-nanosecond
    /// fraction (`< 1e9 << shift`); for the coarse clocks it is plain (`< 1e9`).
    pub nsec: AtomicU64,
}

impl VdsoTimestamp {
    /// A zero timestamp.
    pub const fn new() -> Self {
        Self {
            sec: AtomicU64::new(0),
            nsec: AtomicU64::new(0),
        }
    }
}

/// One `struct vdso_data` record (240 bytes).
#[repr(C)]
#[derive(Default)]
pub struct VdsoData {
    /// Sequence count: odd while the kernel is writing the record. Only the
    /// kernel's single writer changes it; readers go through
    /// [`read_begin`](crate::read_begin) and [`read_retry`](crate::read_retry).
    pub seq: AtomicU32,
    /// How the vDSO may serve the high-resolution clocks:
    /// [`VDSO_CLOCKMODE_NONE`] = take the syscall, [`VDSO_CLOCKMODE_ARCHTIMER`]
    /// = interpolate with the counter, [`VDSO_CLOCKMODE_TIMENS`] = read the
    /// time-namespace page (never set). A Linux-built vDSO serves the coarse
    /// clocks whatever the mode; axvdso's own vDSO also sends them (and
    /// `clock_getres`, `time`, the timezone) to the syscall unless the mode is
    /// `ARCHTIMER`.
    pub clock_mode: AtomicI32,
    /// Counter value sampled at the last update; every `basetime` is the time
    /// at this counter value.
    pub cycle_last: AtomicU64,
    /// Mask applied to `counter - cycle_last`: all ones for the 64-bit
    /// counters of riscv64, x86_64 and aarch64.
    pub mask: AtomicU64,
    /// Counter-to-nanosecond multiplier: nanoseconds per cycle, shifted left
    /// by `shift`, rounded down.
    pub mult: AtomicU32,
    /// The shift of `mult` and of the high-resolution `basetime` nanoseconds.
    pub shift: AtomicU32,
    /// Base times at `cycle_last`, indexed by clock id. Record
    /// [`CS_HRES_COARSE`] fills `REALTIME`, `MONOTONIC`, `BOOTTIME`, `TAI`
    /// (nanoseconds shifted) and `REALTIME_COARSE`, `MONOTONIC_COARSE`
    /// (plain); record [`CS_RAW`] fills `MONOTONIC_RAW` (shifted). Other slots
    /// stay zero.
    pub basetime: [VdsoTimestamp; VDSO_BASES],
    /// Timezone for `gettimeofday`: minutes west of Greenwich (as set by
    /// `settimeofday`). The writer never changes the timezone (Starry has no
    /// `settimeofday`): it stays 0 unless whoever owns the pages stores it.
    pub tz_minuteswest: AtomicI32,
    /// Timezone for `gettimeofday`: type of DST correction.
    pub tz_dsttime: AtomicI32,
    /// What `clock_getres` reports for the high-resolution clocks, in
    /// nanoseconds: one counter period, rounded up.
    pub hrtimer_res: AtomicU32,
    /// Linux 6.1 leaves this unused; axvdso stores the coarse clocks'
    /// resolution (the tick period) here, in nanoseconds. A Linux-built vDSO
    /// ignores it.
    pub coarse_res: AtomicU32,
}

impl VdsoData {
    /// A zeroed record: count 0, `clock_mode` [`VDSO_CLOCKMODE_NONE`].
    pub const fn new() -> Self {
        Self {
            seq: AtomicU32::new(0),
            clock_mode: AtomicI32::new(VDSO_CLOCKMODE_NONE),
            cycle_last: AtomicU64::new(0),
            mask: AtomicU64::new(0),
            mult: AtomicU32::new(0),
            shift: AtomicU32::new(0),
            basetime: [const { VdsoTimestamp::new() }; VDSO_BASES],
            tz_minuteswest: AtomicI32::new(0),
            tz_dsttime: AtomicI32::new(0),
            hrtimer_res: AtomicU32::new(0),
            coarse_res: AtomicU32::new(0),
        }
    }

    /// Whether the vDSO may serve this record's high-resolution clocks from
    /// user space, reading the counter: `clock_mode` is
    /// [`VDSO_CLOCKMODE_ARCHTIMER`]. Any other mode means: take the syscall.
    ///
    /// A plain `Relaxed` load: call it between [`read_begin`](crate::read_begin)
    /// and [`read_retry`](crate::read_retry) to have it consistent with the
    /// rest of the record.
    #[inline(always)]
    pub fn uses_counter(&self) -> bool {
        self.clock_mode.load(Ordering::Relaxed) == VDSO_CLOCKMODE_ARCHTIMER
    }
}

/// `struct vdso_rng_data`: the state of the kernel's random generator that
/// the vDSO's `getrandom` needs (Linux 6.11).
#[repr(C)]
#[derive(Default)]
pub struct VdsoRngData {
    /// The generator's generation: 0 until it is seeded, then larger at every
    /// reseed. A per-thread state keyed under another generation takes a new
    /// key (from the `getrandom` syscall) before its next use. The kernel
    /// stores it with `Release`; the vDSO loads it with `Acquire`.
    pub generation: AtomicU64,
    /// Nonzero once the generator is seeded from real entropy; until then the
    /// vDSO sends every call to the syscall.
    pub is_ready: AtomicU8,
}

impl VdsoRngData {
    /// Not ready, generation 0.
    pub const fn new() -> Self {
        Self {
            generation: AtomicU64::new(0),
            is_ready: AtomicU8::new(0),
        }
    }
}

/// Offset of [`VvarPages::rng`] in page 0: right after `vdso_data[2]`.
pub const VDSO_RNG_DATA_OFFSET: usize = CS_BASES * size_of::<VdsoData>();

/// The two vvar pages, page aligned.
#[repr(C, align(4096))]
pub struct VvarPages {
    /// `vdso_data[CS_BASES]` at the start of page 0.
    pub data: [VdsoData; CS_BASES],
    /// `vdso_rng_data`, at [`VDSO_RNG_DATA_OFFSET`].
    pub rng: VdsoRngData,
    _pad0: [u8; PAGE_SIZE_4K - VDSO_RNG_DATA_OFFSET - size_of::<VdsoRngData>()],
    _timens: [u8; PAGE_SIZE_4K],
}

impl VvarPages {
    /// Zeroed pages: every record has `clock_mode` [`VDSO_CLOCKMODE_NONE`].
    pub const fn new() -> Self {
        // All-zero is a valid value for every atomic field.
        Self {
            data: [const { VdsoData::new() }; CS_BASES],
            rng: VdsoRngData::new(),
            _pad0: [0; PAGE_SIZE_4K - VDSO_RNG_DATA_OFFSET - size_of::<VdsoRngData>()],
            _timens: [0; PAGE_SIZE_4K],
        }
    }
}

impl Default for VvarPages {
    fn default() -> Self {
        Self::new()
    }
}

// The Linux 6.1 ABI, checked at compile time.
const _: () = {
    use core::mem::offset_of;
    assert!(size_of::<VdsoData>() == 240);
    assert!(offset_of!(VdsoData, seq) == 0);
    assert!(offset_of!(VdsoData, clock_mode) == 4);
    assert!(offset_of!(VdsoData, cycle_last) == 8);
    assert!(offset_of!(VdsoData, mask) == 16);
    assert!(offset_of!(VdsoData, mult) == 24);
    assert!(offset_of!(VdsoData, shift) == 28);
    assert!(offset_of!(VdsoData, basetime) == 32);
    assert!(size_of::<VdsoTimestamp>() == 16);
    assert!(offset_of!(VdsoData, tz_minuteswest) == 224);
    assert!(offset_of!(VdsoData, tz_dsttime) == 228);
    assert!(offset_of!(VdsoData, hrtimer_res) == 232);
    assert!(offset_of!(VdsoData, coarse_res) == 236);
    assert!(size_of::<VvarPages>() == VVAR_SIZE);
    assert!(align_of::<VvarPages>() == PAGE_SIZE_4K);
    assert!(offset_of!(VvarPages, data) == 0);
    assert!(offset_of!(VvarPages, rng) == 480);
    assert!(offset_of!(VdsoRngData, generation) == 0);
    assert!(offset_of!(VdsoRngData, is_ready) == 8);
    assert!(size_of::<VdsoRngData>() == 16);
};
