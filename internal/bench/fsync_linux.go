package bench

import (
	"os"
	"syscall"
)

// datasync is fdatasync(2), what SQLite calls at commit on Linux.
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
