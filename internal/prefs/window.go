package prefs

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Window is a daily quiet period in wall-clock time, [Start, End): 22:00-07:00 crosses
// midnight. It is read in the user's own zone, so it follows daylight saving time.
type Window struct {
	Start, End Clock
}

// Clock is a time of day in seconds after midnight.
type Clock int

// ParseClock reads "HH:MM" (00:00–23:59), or "HH:MM:SS" where a window must end on a
// second (tests of a window that closes in a few seconds).
func ParseClock(s string) (Clock, error) {
	s = strings.TrimSpace(s)
	layout := "15:04"
	if strings.Count(s, ":") == 2 {
		layout = "15:04:05"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day such as 22:00", s)
	}
	return clockOf(t), nil
}

func clockOf(t time.Time) Clock { return Clock(t.Hour()*3600 + t.Minute()*60 + t.Second()) }

func (c Clock) String() string {
	if c%60 != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", int(c)/3600, int(c)/60%60, int(c)%60)
	}
	return fmt.Sprintf("%02d:%02d", int(c)/3600, int(c)/60%60)
}

// ParseWindow reads "21:00-08:00". Empty is no window (nil).
func ParseWindow(s string) (*Window, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return nil, fmt.Errorf("quiet hours %q: want START-END such as 21:00-08:00", s)
	}
	start, err := ParseClock(a)
	if err != nil {
		return nil, fmt.Errorf("quiet hours: start: %w", err)
	}
	end, err := ParseClock(b)
	if err != nil {
		return nil, fmt.Errorf("quiet hours: end: %w", err)
	}
	if start == end {
		return nil, fmt.Errorf("quiet hours %q: start and end are the same", s)
	}
	return &Window{Start: start, End: end}, nil
}

func (w Window) String() string { return w.Start.String() + "-" + w.End.String() }

type windowJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// MarshalJSON writes {"start":"22:00","end":"07:00"}.
func (w Window) MarshalJSON() ([]byte, error) {
	return json.Marshal(windowJSON{w.Start.String(), w.End.String()})
}

// UnmarshalJSON reads {"start":"22:00","end":"07:00"}.
func (w *Window) UnmarshalJSON(b []byte) error {
	var j windowJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("quietHours: want {\"start\":\"22:00\",\"end\":\"07:00\"}")
	}
	p, err := ParseWindow(j.Start + "-" + j.End)
	if err != nil {
		return err
	}
	*w = *p
	return nil
}

// Ends returns, when t falls inside the window (read in loc), the instant the window
// ends; ok is false outside it. Across a DST change the end is the wall-clock End on the
// right day (an End that does not exist that day, in a spring-forward gap, is the first
// instant after the gap).
func (w Window) Ends(t time.Time, loc *time.Location) (end time.Time, ok bool) {
	lt := t.In(loc)
	m := clockOf(lt)
	y, mo, d := lt.Date()
	switch {
	case w.Start < w.End: // same day: 01:00-06:00
		if m < w.Start || m >= w.End {
			return time.Time{}, false
		}
	case m >= w.Start: // crosses midnight, evening part: ends tomorrow
		d++
	case m < w.End: // crosses midnight, morning part: ends today
	default:
		return time.Time{}, false
	}
	end = wallTime(y, mo, d, w.End, loc)
	if !end.After(t) {
		return time.Time{}, false
	}
	return end, true
}

// wallTime is the wall clock y-mo-d c in loc. A time that does not exist that day (a
// spring-forward gap: 02:30 in New York on the second Sunday of March) is moved forward
// by the gap (03:30). An ambiguous one (fall back) is its first occurrence.
func wallTime(y int, mo time.Month, d int, c Clock, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, 0, 0, int(c), 0, loc)
	lt := t.In(loc)
	if got := clockOf(lt); got != c && lt.Day() == time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Day() {
		t = t.Add(time.Duration(c-got) * time.Second) // time.Date went back before the gap
	}
	return t
}
