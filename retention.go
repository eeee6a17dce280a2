package notify

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseRetention reads how long notifications are kept: whole days ("30d", the usual
// way to say it) or a Go duration ("720h"). It must be positive.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not whole days such as 30d or a duration such as 720h", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not whole days such as 30d or a duration such as 720h", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: a retention must be longer than zero", s)
	}
	return d, nil
}

// FormatRetention writes d as ParseRetention reads it: whole days as "30d".
func FormatRetention(d time.Duration) string {
	if day := 24 * time.Hour; d > 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}
