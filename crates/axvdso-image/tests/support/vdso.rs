//! The embedded x86_64 vDSO, mapped as a kernel would map it, and called
//! through symbols found the way a libc finds them.

use std::{
    ffi::c_void,
    ptr,
    sync::atomic::{
        Ordering::{Relaxed, Release},
        fence,
    },
};

use axvdso_abi::{Arch, PAGE_SIZE_4K, VVAR_NR_PAGES};
use axvdso_image::vdso_image;
use axvdso_vvar::{VdsoData, VvarPages, VvarWriter};
use starry_hooks::testing::FakeClock;

use super::{Ts, clock::rdtsc, image::Image};

type ClockFn = unsafe extern "C" fn(i32, *mut libc::timespec) -> i64;
type GettimeofdayFn = unsafe extern "C" fn(*mut libc::timeval, *mut [i32; 2]) -> i64;
type TimeFn = unsafe extern "C" fn(*mut i64) -> i64;
type GetcpuFn = unsafe extern "C" fn(*mut u32, *mut u32, *mut c_void) -> i64;
type GetrandomFn = unsafe extern "C" fn(*mut u8, usize, u32, *mut u8, usize) -> i64;

/// `[VVAR_NR_PAGES data pages, RW][the image, R+X]` in this process, with
/// the data pages driven by a `VvarWriter`. Leaked: tests hand it to threads.
pub struct MappedVdso {
    /// The data pages the vDSO reads.
    pub pages: &'static VvarPages,
    /// The kernel-side writer of `pages`: the only one, so its `try_update`
    /// always publishes.
    pub writer: VvarWriter<'static>,
    /// The mapped image (what `AT_SYSINFO_EHDR` would point at).
    pub text: &'static [u8],
    clock_gettime: ClockFn,
    clock_getres: ClockFn,
    gettimeofday: GettimeofdayFn,
    time: TimeFn,
    getcpu: GetcpuFn,
    getrandom: GetrandomFn,
}

impl MappedVdso {
    /// Maps a fresh copy of the embedded image above fresh, zeroed data pages.
    pub fn new() -> &'static Self {
        Self::with_image(vdso_image())
    }

    /// Maps `image` (page padded) above fresh, zeroed data pages.
    pub fn with_image(image: &[u8]) -> &'static Self {
        let vvar_size = VVAR_NR_PAGES * PAGE_SIZE_4K;
        let text_size = image.len().next_multiple_of(PAGE_SIZE_4K);
        // SAFETY: an anonymous private mapping at an address of the kernel's
        // choosing overlaps nothing.
        let base = unsafe {
            libc::mmap(
                ptr::null_mut(),
                vvar_size + text_size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(base, libc::MAP_FAILED, "mmap failed");
        let base = base.cast::<u8>();
        // SAFETY: `base + vvar_size` starts `text_size >= image.len()` mapped,
        // writable bytes that nothing else uses.
        let text = unsafe {
            let text = base.add(vvar_size);
            ptr::copy_nonoverlapping(image.as_ptr(), text, image.len());
            assert_eq!(
                libc::mprotect(text.cast(), text_size, libc::PROT_READ | libc::PROT_EXEC),
                0,
                "mprotect failed"
            );
            std::slice::from_raw_parts(text.cast_const(), text_size)
        };
        // SAFETY: the first `vvar_size` bytes are mapped, page aligned,
        // zeroed (a valid `VvarPages`: all atomics), never unmapped, and only
        // accessed through this reference and by the vDSO's atomic loads.
        let pages = unsafe { &*base.cast::<VvarPages>() };
        assert_eq!(size_of::<VvarPages>(), vvar_size);

        let elf = Image::new(text);
        const VERSION_NODE: &str = Arch::X86_64.version_node();
        let find = |name: &str| {
            let offset = elf
                .lookup(name, VERSION_NODE)
                .unwrap_or_else(|| panic!("{name}@{VERSION_NODE} not found through DT_HASH"));
            text.as_ptr() as usize + offset as usize
        };
        // SAFETY: each address is the entry of the vDSO function of that name
        // in the R+X mapping, whose C prototype is the pointer type.
        let mapped = unsafe {
            Self {
                pages,
                writer: VvarWriter::new(pages),
                text,
                clock_gettime: std::mem::transmute::<usize, ClockFn>(find("__vdso_clock_gettime")),
                clock_getres: std::mem::transmute::<usize, ClockFn>(find("__vdso_clock_getres")),
                gettimeofday: std::mem::transmute::<usize, GettimeofdayFn>(find(
                    "__vdso_gettimeofday",
                )),
                time: std::mem::transmute::<usize, TimeFn>(find("__vdso_time")),
                getcpu: std::mem::transmute::<usize, GetcpuFn>(find("__vdso_getcpu")),
                getrandom: std::mem::transmute::<usize, GetrandomFn>(find("__vdso_getrandom")),
            }
        };
        Box::leak(Box::new(mapped))
    }

    /// The writer's `init` from `clock`, with its counter moved to the TSC
    /// now (the counter the vDSO reads).
    pub fn init(&self, clock: &FakeClock) {
        clock.set_counter(rdtsc());
        self.writer.init(clock);
    }

    /// The writer's update from `clock`, with its counter moved to the TSC
    /// now. It publishes the mode `init` chose again.
    pub fn update(&self, clock: &FakeClock) {
        clock.set_counter(rdtsc());
        assert!(
            self.writer.try_update(clock),
            "a second writer holds the lock"
        );
    }

    /// Address of the image in this process.
    pub fn base(&self) -> usize {
        self.text.as_ptr() as usize
    }

    /// `__vdso_clock_gettime(clock, &ts)`: `Ok(ts)` or `Err(return value)`.
    pub fn clock_gettime(&self, clock: i32) -> Result<Ts, i64> {
        // SAFETY: the vDSO's clock_gettime writes one timespec to a valid
        // pointer; its data pages are mapped below it.
        Ts::from_call(|ts| unsafe { (self.clock_gettime)(clock, ts) })
    }

    /// `__vdso_clock_gettime(clock, NULL)`.
    pub fn clock_gettime_null(&self, clock: i32) -> i64 {
        // SAFETY: NULL is passed on to the syscall, which checks it.
        unsafe { (self.clock_gettime)(clock, ptr::null_mut()) }
    }

    /// `__vdso_clock_getres(clock, &res)`: `Ok(res)` or `Err(return value)`.
    pub fn clock_getres(&self, clock: i32) -> Result<Ts, i64> {
        // SAFETY: as for clock_gettime.
        Ts::from_call(|ts| unsafe { (self.clock_getres)(clock, ts) })
    }

    /// `__vdso_clock_getres(clock, NULL)`.
    pub fn clock_getres_null(&self, clock: i32) -> i64 {
        // SAFETY: NULL is allowed.
        unsafe { (self.clock_getres)(clock, ptr::null_mut()) }
    }

    /// `__vdso_gettimeofday` with `tv` and `tz` each valid or NULL:
    /// `(return value, tv as (sec, usec), tz)`.
    pub fn gettimeofday(&self, tv: bool, tz: bool) -> (i64, Option<Ts>, Option<(i32, i32)>) {
        let mut tv_out = libc::timeval {
            tv_sec: -1,
            tv_usec: -1,
        };
        let mut tz_out = [i32::MIN; 2];
        let tv_ptr = if tv { &raw mut tv_out } else { ptr::null_mut() };
        let tz_ptr = if tz { &raw mut tz_out } else { ptr::null_mut() };
        // SAFETY: each pointer is valid or NULL.
        let r = unsafe { (self.gettimeofday)(tv_ptr, tz_ptr) };
        (
            r,
            tv.then_some(Ts {
                sec: tv_out.tv_sec,
                sub: tv_out.tv_usec,
            }),
            tz.then_some((tz_out[0], tz_out[1])),
        )
    }

    /// `__vdso_time(t)` with `t` valid or NULL: `(return value, *t)`.
    pub fn time(&self, with_pointer: bool) -> (i64, Option<i64>) {
        let mut t = i64::MIN;
        let t_ptr = if with_pointer {
            &raw mut t
        } else {
            ptr::null_mut()
        };
        // SAFETY: the pointer is valid or NULL.
        let r = unsafe { (self.time)(t_ptr) };
        (r, with_pointer.then_some(t))
    }

    /// `__vdso_getcpu(&cpu, &node, NULL)`: `(return value, cpu, node)`.
    pub fn getcpu(&self) -> (i64, u32, u32) {
        let (mut cpu, mut node) = (u32::MAX, u32::MAX);
        // SAFETY: both pointers are valid; the third is unused.
        let r = unsafe { (self.getcpu)(&mut cpu, &mut node, ptr::null_mut()) };
        (r, cpu, node)
    }

    /// `__vdso_getrandom(buf, len, flags, state, state_len)`.
    ///
    /// # Safety
    ///
    /// `buf` must be NULL or writable for `len` bytes; `state` NULL, or
    /// readable and writable for `state_len` bytes (at most a page) if it is
    /// the state size, or for the 64 bytes of the parameters when
    /// `state_len` is `usize::MAX`.
    pub unsafe fn getrandom(
        &self,
        buf: *mut u8,
        len: usize,
        flags: u32,
        state: *mut u8,
        state_len: usize,
    ) -> i64 {
        // SAFETY: as the caller promises.
        unsafe { (self.getrandom)(buf, len, flags, state, state_len) }
    }
}

/// Rewrites a record by hand, inside a seqcount write section, as the writer
/// does: odd count, release fence, the stores, even count (release).
pub fn rewrite(data: &VdsoData, write: impl FnOnce(&VdsoData)) {
    let seq = data.seq.load(Relaxed);
    data.seq.store(seq.wrapping_add(1), Relaxed);
    fence(Release);
    write(data);
    data.seq.store(seq.wrapping_add(2), Release);
}
