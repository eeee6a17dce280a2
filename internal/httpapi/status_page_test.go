package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

// An event's status takes ?limit= and ?after= and says how many recipients there are in
// all; a small event is one page with no nextAfter. A limit out of range or an after that
// is not an id is a 400.
func TestEventStatusPaging(t *testing.T) {
	c := client{t, apptest.Start(t, app.Config{}).URL}
	c.publish("ann", "ORDER_CREATED", "paged")
	var st struct {
		Recipients     []map[string]any `json:"recipients"`
		RecipientCount int64            `json:"recipientCount"`
		NextAfter      *int64           `json:"nextAfter"`
	}
	if r := c.do("GET", "/v1/events/paged?limit=1", "", nil, &st); r.StatusCode != http.StatusOK {
		t.Fatalf("GET ?limit=1: %d", r.StatusCode)
	}
	if len(st.Recipients) != 1 || st.RecipientCount != 1 || st.NextAfter != nil {
		t.Fatalf("one recipient, limit 1: %d listed, count %d, nextAfter %v; want 1, 1, none", len(st.Recipients), st.RecipientCount, st.NextAfter)
	}
	id := int64(st.Recipients[0]["notificationId"].(float64))
	var after struct {
		Recipients     []map[string]any `json:"recipients"`
		RecipientCount int64            `json:"recipientCount"`
	}
	if r := c.do("GET", "/v1/events/paged?after="+strconv.FormatInt(id, 10), "", nil, &after); r.StatusCode != http.StatusOK {
		t.Fatalf("GET ?after=%d: %d", id, r.StatusCode)
	}
	if len(after.Recipients) != 0 || after.RecipientCount != 1 {
		t.Fatalf("after the only recipient: %d listed, count %d; want 0, 1", len(after.Recipients), after.RecipientCount)
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "after=-1", "after=x"} {
		if r := c.do("GET", "/v1/events/paged?"+q, "", nil, nil); r.StatusCode != http.StatusBadRequest {
			t.Errorf("GET ?%s: %d, want 400", q, r.StatusCode)
		}
	}
}
