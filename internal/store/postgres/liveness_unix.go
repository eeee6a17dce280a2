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
	// Control, not Read: RawConn.Read takes the socket's read lock, and pgx's background
	// reader (started when a write is slow) can be parked in a Read on this idle
	// connection, holding that lock until a byte comes, which on an idle connection is
	// never: the peek would wait forever and with it the pool. A peek needs no lock.
	var rerr error
	var buf [1]byte
	if err := raw.Control(func(fd uintptr) {
		_, _, rerr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	}); err != nil {
		return true
	}
	if errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK) {
		return false // nothing there: the connection is quietly idle
	}
	return true // a byte (n == 1), the peer's close (n == 0), or an error
}
