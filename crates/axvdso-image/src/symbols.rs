//! Offsets of the embedded image's symbols, read from its dynamic symbol table
//! at build time.
//!
//! An offset is from the first byte of the image, so a symbol's user address
//! is the image's base plus its offset. Every `__vdso_*` function the arch's
//! libcs look up has a `SYM_*` constant (e.g. `SYM_RT_SIGRETURN` on riscv64,
//! where the kernel points a signal handler's return address, and
//! `SYM_CLOCK_GETTIME` everywhere) and a `SYM_*_SIZE`; [`SYMBOLS`] lists every
//! exported symbol, aliases included.

use crate::Symbol;

include!(concat!(env!("OUT_DIR"), "/vdso_symbols.rs"));
