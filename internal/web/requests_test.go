package web_test

import (
	"strconv"
	"strings"
)

// requestHeads splits what a client sent on one connection into its HTTP/1.1 requests
// (keep-alive connections carry several) and returns each one's head: request line and
// headers, without the blank line and body.
func requestHeads(sent string) []string {
	var heads []string
	for sent != "" {
		head, rest, ok := strings.Cut(sent, "\r\n\r\n")
		if !ok {
			break
		}
		heads = append(heads, head)
		if v, ok := headerValue(head, "Content-Length"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n > len(rest) {
				break
			}
			rest = rest[n:]
		}
		sent = rest
	}
	return heads
}

// headerValue returns the value of the first header named name (case-insensitive) in a
// request head, and whether it is there.
func headerValue(head, name string) (string, bool) {
	for _, line := range strings.Split(head, "\r\n")[1:] {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
