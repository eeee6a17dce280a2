package delivery

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// lease renews a claimed delivery's lease every Lease/3 until stopped, so a row stays
// this worker's however long its provider call and recording take, and a crashed process
// holds its rows for at most one Lease. A renewal answered ErrLeaseLost (another claim
// took the row: this process stalled past its lease) marks the lease lost and stops.
type lease struct {
	done      chan struct{}
	wg        sync.WaitGroup
	isLost    atomic.Bool
	finishing atomic.Bool // the outcome is being recorded (see finish)
}

func (w *Worker) keepLease(ctx context.Context, lg *slog.Logger, m notify.Message) *lease {
	l := &lease{done: make(chan struct{})}
	every := w.o.Lease / 3
	l.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-l.done:
				return
			case <-t.C:
			}
			// A renewal may take until the lease would end (a busy store answers late).
			rctx, cancel := context.WithTimeout(ctx, w.o.Lease)
			err := w.st.RenewDelivery(rctx, m.DeliveryID, m.Attempt, w.o.Now().Add(w.o.Lease))
			cancel()
			switch {
			case errors.Is(err, store.ErrLeaseLost) && l.finishing.Load():
				// Most likely the outcome was just recorded (the row is no longer sending);
				// if the lease really was lost, recording the outcome finds it and says so.
				return
			case errors.Is(err, store.ErrLeaseLost):
				l.isLost.Store(true)
				w.m.leaseLost.Inc()
				lg.WarnContext(ctx, "delivery lease lost to another claim")
				return
			case err != nil:
				lg.WarnContext(ctx, "renewing delivery lease failed", "err", err)
			}
		}
	})
	return l
}

func (l *lease) lost() bool { return l.isLost.Load() }

// finish tells the renewals that the outcome is about to be recorded: from then on a
// renewal refused because the row is no longer this attempt's is not reported as a lost
// lease (recording reports a real one itself).
func (l *lease) finish() { l.finishing.Store(true) }

func (l *lease) stop() {
	close(l.done)
	l.wg.Wait()
}
