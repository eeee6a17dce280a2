package ctl

import (
	"fmt"
	"io"
	"strings"
)

// progress shows how far a long run is on stderr: a bar redrawn in place on a terminal,
// e.g. "[#####-----] 12/40", else one plain line per step.
type progress struct {
	w     io.Writer
	tty   bool
	total int
	done  int
	width int
}

func newProgress(w io.Writer, tty bool, total int) *progress {
	p := &progress{w: w, tty: tty, total: total, width: 20}
	if tty && total > 0 {
		p.draw("")
	}
	return p
}

// step counts one item; note says what happened to it.
func (p *progress) step(note string) {
	p.done++
	if p.tty {
		p.draw(note)
		return
	}
	fmt.Fprintf(p.w, "%d/%d %s\n", p.done, p.total, note)
}

func (p *progress) draw(note string) {
	fmt.Fprintf(p.w, "\r\033[K%s %d/%d %s", bar(p.done, p.total, p.width), p.done, p.total, note)
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.tty && p.total > 0 {
		fmt.Fprintln(p.w)
	}
}

// bar draws done/total as "[#####-----]" of width cells.
func bar(done, total, width int) string {
	filled := width
	if total > 0 {
		filled = done * width / total
	}
	filled = max(0, min(width, filled))
	return "[" + strings.Repeat("#", filled) + strings.Repeat("-", width-filled) + "]"
}
