package topic

import (
	"testing"
	"time"
)

func TestPageSizerFollowsTheTarget(t *testing.T) {
	p := newPageSizer(500, 10*time.Millisecond)
	if p.next() != 500 {
		t.Fatalf("first page %d, want the cap 500", p.next())
	}
	// Very slow pages never go below the floor.
	for range 20 {
		p.took(p.next(), time.Second)
	}
	if p.next() != minPage {
		t.Fatalf("after very slow pages the size is %d, want the floor %d", p.next(), minPage)
	}
	// Fast pages (10 µs a row): grows, at most doubling, up to the cap.
	for range 20 {
		p.took(p.next(), time.Duration(p.next())*10*time.Microsecond)
	}
	if p.next() != 500 {
		t.Fatalf("after fast pages the size is %d, want the cap 500", p.next())
	}
	// Slow pages (50 µs a row: 200 rows make 10 ms): shrinks towards 200.
	for range 20 {
		p.took(p.next(), time.Duration(p.next())*50*time.Microsecond)
	}
	if n := p.next(); n < 190 || n > 210 {
		t.Fatalf("after slow pages the size is %d, want about 200", n)
	}
	// Very slow pages never go below the floor.
	for range 20 {
		p.took(p.next(), time.Second)
	}
	if p.next() != minPage {
		t.Fatalf("after very slow pages the size is %d, want the floor %d", p.next(), minPage)
	}
	// A short last page changes nothing.
	p.took(3, time.Nanosecond)
	if p.next() != minPage {
		t.Fatalf("a short page moved the size to %d", p.next())
	}
}

func TestPageSizerFloorIsTheCapWhenSmaller(t *testing.T) {
	p := newPageSizer(7, 10*time.Millisecond)
	p.took(7, time.Nanosecond)
	if p.next() != 7 {
		t.Fatalf("size %d with a cap of 7", p.next())
	}
}
