//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package postgres

import (
	"errors"
	"net"
	"syscall"
)

// peek looks at c's socket without waiting and without taking anything from it: true when
// a byte is there or the peer closed (or the look failed, when a ping is the safe choice).
func peek(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var rerr error
	var buf [1]byte
	if err := raw.Read(func(fd uintptr) bool {
		_, _, rerr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true
	}); err != nil {
		return true
	}
	if errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK) {
		return false // nothing there: the connection is quietly idle
	}
	return true // a byte (n == 1), the peer's close (n == 0), or an error
}
