module axvdso/go-clock

go 1.19
