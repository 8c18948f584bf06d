// go-clock reads the clock the way Go programs do (time.Now, time.Since) and
// prints the PASS/FAIL markers of apps/vdso/user/c/check.h. The Go runtime
// finds the vDSO's clock_gettime itself (__vdso_clock_gettime@LINUX_4.15 on
// riscv64, __kernel_clock_gettime@LINUX_2.6.39 on arm64); /proc/self/syscalls (the
// kernel's per-process syscall counts) shows whether it used it.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

const prog = "go-clock"

// sysClockGettime is clock_gettime's syscall number on the arch built for.
const sysClockGettime = syscall.SYS_CLOCK_GETTIME

var passed, failed int

func check(ok bool, format string, args ...any) {
	verdict := "PASS"
	if ok {
		passed++
	} else {
		verdict = "FAIL"
		failed++
	}
	fmt.Printf("%s %s: %s\n", verdict, prog, fmt.Sprintf(format, args...))
}

// clockGettimeSyscalls returns how many clock_gettime syscalls this process made.
func clockGettimeSyscalls() (int, error) {
	data, err := os.ReadFile("/proc/self/syscalls")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 2 && fields[0] == strconv.Itoa(sysClockGettime) {
			return strconv.Atoi(fields[1])
		}
	}
	return 0, nil
}

func main() {
	start := time.Now()
	spins := 0
	for time.Since(start) < 20*time.Millisecond {
		spins++
	}
	elapsed := time.Since(start)
	check(elapsed >= 20*time.Millisecond && elapsed < 5*time.Second,
		"time.Since advances: a 20 ms busy wait took %v (%d reads)", elapsed, spins)

	now := time.Now()
	check(now.Unix() > 1577836800, "time.Now = %s", now.UTC().Format(time.RFC3339Nano))

	before, errBefore := clockGettimeSyscalls()
	var last time.Time
	for i := 0; i < 1000; i++ {
		last = time.Now() // wall and monotonic: two clock reads each
	}
	after, errAfter := clockGettimeSyscalls()
	// The count works: one raw clock_gettime syscall is counted.
	var ts syscall.Timespec
	syscall.RawSyscall(sysClockGettime, 1, uintptr(unsafe.Pointer(&ts)), 0)
	probe, errProbe := clockGettimeSyscalls()
	check(errBefore == nil && errAfter == nil && errProbe == nil && after == before &&
		probe == after+1 && !last.IsZero(),
		"1000 time.Now made %d clock_gettime syscalls (a raw syscall counts %d)", after-before, probe-after)

	fmt.Printf("%s: %d passed, %d failed\n", prog, passed, failed)
	if failed != 0 {
		os.Exit(1)
	}
}
