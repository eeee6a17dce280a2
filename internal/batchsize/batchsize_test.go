package batchsize

import (
	"testing"
	"time"
)

const floor = 100

func TestSizerFollowsTheTarget(t *testing.T) {
	p := New(500, floor, 10*time.Millisecond)
	if p.Next() != 500 {
		t.Fatalf("first batch %d, want the cap 500", p.Next())
	}
	// Very slow batches never go below the floor.
	for range 20 {
		p.Took(p.Next(), time.Second)
	}
	if p.Next() != floor {
		t.Fatalf("after very slow batches the size is %d, want the floor %d", p.Next(), floor)
	}
	// Fast batches (10 µs a row): grows, at most doubling, up to the cap.
	for range 20 {
		p.Took(p.Next(), time.Duration(p.Next())*10*time.Microsecond)
	}
	if p.Next() != 500 {
		t.Fatalf("after fast batches the size is %d, want the cap 500", p.Next())
	}
	// Slow batches (50 µs a row: 200 rows make 10 ms): shrinks towards 200.
	for range 20 {
		p.Took(p.Next(), time.Duration(p.Next())*50*time.Microsecond)
	}
	if n := p.Next(); n < 190 || n > 210 {
		t.Fatalf("after slow batches the size is %d, want about 200", n)
	}
	// Very slow batches never go below the floor.
	for range 20 {
		p.Took(p.Next(), time.Second)
	}
	if p.Next() != floor {
		t.Fatalf("after very slow batches the size is %d, want the floor %d", p.Next(), floor)
	}
	// A short last batch changes nothing.
	p.Took(3, time.Nanosecond)
	if p.Next() != floor {
		t.Fatalf("a short batch moved the size to %d", p.Next())
	}
}

func TestSizerFloorIsTheCapWhenSmaller(t *testing.T) {
	p := New(7, floor, 10*time.Millisecond)
	p.Took(7, time.Nanosecond)
	if p.Next() != 7 {
		t.Fatalf("size %d with a cap of 7", p.Next())
	}
}
