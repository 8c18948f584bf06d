//! Reads the clocks the way Rust programs do (`Instant`, `SystemTime`) and
//! prints the PASS/FAIL markers of `apps/vdso/user/c/check.h`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PROG: &str = "rust-std";
const AT_PAGESZ: u64 = 6;
const AT_ENTRY: u64 = 9;
const AT_SYSINFO_EHDR: u64 = 33;

unsafe extern "C" {
    fn getauxval(kind: u64) -> u64;
}

/// `clock_gettime`'s syscall number on riscv64.
const SYS_CLOCK_GETTIME: u64 = 113;

/// How many `clock_gettime` syscalls this process made, from the kernel's
/// per-process count in `/proc/self/syscalls` ("nr count" lines).
fn clock_gettime_syscalls() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/syscalls").ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.split_once(' '))
            .find(|(nr, _)| nr.parse() == Ok(SYS_CLOCK_GETTIME))
            .map_or(0, |(_, n)| n.trim().parse().unwrap_or(u64::MAX)),
    )
}

fn auxval(kind: u64) -> u64 {
    // SAFETY: glibc's getauxval reads the process's auxv and has no preconditions.
    unsafe { getauxval(kind) }
}

struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    fn check(&mut self, ok: bool, what: String) {
        println!("{} {PROG}: {what}", if ok { "PASS" } else { "FAIL" });
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
    }
}

fn main() {
    let mut c = Checks {
        passed: 0,
        failed: 0,
    };
    for (name, kind) in [
        ("AT_PAGESZ", AT_PAGESZ),
        ("AT_ENTRY", AT_ENTRY),
        ("AT_SYSINFO_EHDR", AT_SYSINFO_EHDR),
    ] {
        println!("{PROG}: auxv {name:<16} ({kind:2}) = {:#x}", auxval(kind));
    }
    c.check(
        auxval(AT_PAGESZ) == 4096,
        format!("AT_PAGESZ = {}", auxval(AT_PAGESZ)),
    );
    c.check(
        auxval(AT_SYSINFO_EHDR) != 0,
        format!(
            "AT_SYSINFO_EHDR = {:#x} (the kernel's exec hook mapped the vDSO)",
            auxval(AT_SYSINFO_EHDR)
        ),
    );

    let t0 = Instant::now();
    let mut spins = 0u64;
    while t0.elapsed() < Duration::from_millis(20) {
        spins += 1;
    }
    let dt = t0.elapsed();
    c.check(
        dt >= Duration::from_millis(20) && dt < Duration::from_secs(5),
        format!("Instant::now advances: 20 ms busy wait took {dt:?} ({spins} reads)"),
    );

    // Rust std reads clocks through glibc, which should take the vDSO: count
    // the clock_gettime syscalls the kernel saw from this process.
    let before = clock_gettime_syscalls();
    for _ in 0..1000 {
        std::hint::black_box(Instant::now());
        std::hint::black_box(SystemTime::now());
    }
    let after = clock_gettime_syscalls();
    c.check(
        before.is_some() && before == after,
        format!(
            "1000 Instant::now + 1000 SystemTime::now made {:?} clock_gettime syscalls",
            after.zip(before).map(|(a, b)| a - b)
        ),
    );

    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    c.check(
        now.as_ref().is_ok_and(|d| d.as_secs() > 1_577_836_800),
        format!("SystemTime::now = {now:?} since the epoch"),
    );

    println!("{PROG}: {} passed, {} failed", c.passed, c.failed);
    std::process::exit(i32::from(c.failed != 0));
}
