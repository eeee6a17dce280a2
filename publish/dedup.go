package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// fifoID fits an id into what SQS and SNS take as a MessageGroupId or
// MessageDeduplicationId: at most 128 characters of letters, digits and punctuation.
// An id that does not fit is replaced by its SHA-256, so equal ids still map alike.
func fifoID(id string) string {
	if len(id) > 0 && len(id) <= 128 && strings.IndexFunc(id, func(r rune) bool { return r < '!' || r > '~' }) < 0 {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func isFIFO(name string) bool { return strings.HasSuffix(name, ".fifo") }
