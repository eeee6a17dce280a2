//go:build !unix

package bench

import "errors"

// pause needs SIGSTOP, which only Unix has: the drain mode runs on Unix only.
func pause(int) error { return errors.New("the SQS drain mode needs SIGSTOP (Unix)") }

func resume(int) error { return nil }
