//go:build unix

package bench

import "syscall"

// pause stops process pid (SIGSTOP) until resume continues it (SIGCONT).
func pause(pid int) error { return syscall.Kill(pid, syscall.SIGSTOP) }

func resume(pid int) error { return syscall.Kill(pid, syscall.SIGCONT) }
