#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod crng;
mod global;
mod jitter;
mod pool;
mod tick;

pub use self::{
    global::{
        add_entropy, add_seed, fill_bytes, force_reseed, generation, is_ready, next_u64,
        seed_from_jitter,
    },
    jitter::JITTER_SAMPLES,
    tick::{RESEED_FIRST_NANOS, RESEED_MAX_NANOS},
};
