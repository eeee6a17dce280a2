package bench

import "syscall"

// selfCPU is the CPU time (user + system) this process has used, in seconds: the load
// generator shares the machine with the server, so its own cost is part of every result.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
