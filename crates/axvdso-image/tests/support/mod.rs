//! Shared test support: the images read with `object` (with a libc-style
//! symbol lookup) and checked with `build/validate`, and (on x86_64 Linux)
//! the embedded vDSO mapped next to a data page the tests drive, fake clocks
//! on the real TSC and the host's syscalls.

#![allow(dead_code, reason = "each test crate uses a different part")]

pub mod built;
pub mod image;
#[path = "../../build/validate/mod.rs"]
pub mod validate;

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub mod clock;
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub mod host;
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub mod vdso;

/// The image the library embeds, as built (without the page padding).
pub fn embedded_elf() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/vdso.so"))
}

/// The arch the tests are compiled for: the embedded image's.
pub fn target_arch() -> axvdso_abi::Arch {
    axvdso_abi::Arch::from_target_arch(std::env::consts::ARCH).expect("a supported arch")
}

/// A `struct timespec` / `struct timeval` value as `(sec, sub-second)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts {
    pub sec: i64,
    /// Nanoseconds (or microseconds for a timeval).
    pub sub: i64,
}

impl Ts {
    /// The timespec `call` fills (it starts as `{-1, -1}`), if `call`
    /// returns 0; else `Err` of what it returns (`-errno`).
    pub fn from_call(call: impl FnOnce(&mut libc::timespec) -> i64) -> Result<Self, i64> {
        let mut ts = libc::timespec {
            tv_sec: -1,
            tv_nsec: -1,
        };
        match call(&mut ts) {
            0 => Ok(Self {
                sec: ts.tv_sec,
                sub: ts.tv_nsec,
            }),
            err => Err(err),
        }
    }

    pub fn nanos(self) -> i128 {
        self.sec as i128 * 1_000_000_000 + self.sub as i128
    }

    pub fn from_nanos(ns: u128) -> Self {
        Self {
            sec: (ns / 1_000_000_000) as i64,
            sub: (ns % 1_000_000_000) as i64,
        }
    }
}
