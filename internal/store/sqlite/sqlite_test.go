package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "notify.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
