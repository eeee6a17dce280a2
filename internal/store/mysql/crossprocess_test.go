package mysql_test

import (
	"context"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// TestAcrossProcesses: two stores with their own pools on one database, as two replicas
// have: every event accepted once with gap-free sequences, every delivery claimed once,
// and a lapsed lease fenced off.
func TestAcrossProcesses(t *testing.T) {
	storetest.RunAcrossProcesses(t, func(t *testing.T) (store.Store, store.Store) {
		url := testenv.MySQLURL(t)
		var s [2]store.Store
		for i := range s {
			var err error
			if s[i], err = mysql.Open(context.Background(), url); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s[i].Close() })
		}
		return s[0], s[1]
	})
}
