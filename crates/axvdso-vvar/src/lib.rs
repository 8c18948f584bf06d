#![doc = include_str!("../README.md")]
// Without `kernel` the writer items the README names do not exist: point
// their links at the features section instead of leaving them broken.
#![cfg_attr(
    not(feature = "kernel"),
    doc = "",
    doc = "[`VvarWriter`]: #crate-features",
    doc = "[`VvarWriter::init`]: #crate-features",
    doc = "[`VvarWriter::publish_rng_generation`]: #crate-features",
    doc = "[`VvarWriter::try_update`]: #crate-features",
    doc = "[`VVAR_WRITER`]: #crate-features",
    doc = "[`VVAR_PAGES`]: #crate-features",
    doc = "[`calc_mult_shift`]: #crate-features",
    doc = "[`hres_resolution_nanos`]: #crate-features"
)]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

#[cfg(feature = "kernel")]
mod base;
#[cfg(feature = "kernel")]
pub mod counter;
#[cfg(feature = "kernel")]
mod hook;
mod layout;
#[cfg(feature = "kernel")]
mod mult;
mod seq;
#[cfg(feature = "kernel")]
mod writer;

// The seqcount's generic core, for the loom model (tests/loom_seq.rs) only.
#[cfg(loom)]
#[doc(hidden)]
pub use self::seq::{SeqCount, write_sections};
#[cfg(feature = "kernel")]
pub use self::{
    hook::{VVAR_PAGES, VVAR_WRITER, vvar_kernel_addr},
    mult::{MAX_UPDATE_INTERVAL_SECS, NANOS_PER_SEC, calc_mult_shift, hres_resolution_nanos},
    writer::VvarWriter,
};
// The page geometry and clock ids are the ABI's (axvdso-abi), named here too
// because the layout is defined in their terms.
pub use axvdso_abi::{PAGE_SIZE_4K, VVAR_NR_PAGES, clock_id};

pub use self::{
    layout::{
        CS_BASES, CS_HRES_COARSE, CS_RAW, VDSO_BASES, VDSO_CLOCKMODE_ARCHTIMER,
        VDSO_CLOCKMODE_NONE, VDSO_CLOCKMODE_TIMENS, VDSO_COARSE, VDSO_HRES, VDSO_RAW,
        VDSO_RNG_DATA_OFFSET, VVAR_SIZE, VdsoData, VdsoRngData, VdsoTimestamp, VvarPages,
    },
    seq::{read_begin, read_retry},
};
