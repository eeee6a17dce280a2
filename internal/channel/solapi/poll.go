package solapi

import (
	"context"
	"net/url"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel/kakao"
	"github.com/notifyd/notifyd/internal/store"
)

// Solapi's message statuses: 2000 taken, 3000 with the carrier or Kakao, 4000 received.
// Any other code of a message past 3000 is a final failure.
const (
	statusPending   = "3000"
	statusDelivered = "4000"
)

// Results looks up the results of messages by their ids with the message list API and
// returns a report for each that is final (delivered, or a failure code); those still on
// their way are left out.
func (c *Client) Results(ctx context.Context, ids []string) ([]store.Report, error) {
	var out []store.Report
	for _, id := range ids {
		var resp struct {
			MessageList map[string]result `json:"messageList"`
		}
		if err := c.do(ctx, "GET", "/messages/v4/list?messageId="+url.QueryEscape(id), nil, &resp); err != nil {
			return out, err
		}
		m, ok := resp.MessageList[id]
		if !ok || m.StatusCode == statusAccepted || m.StatusCode == statusPending || m.StatusCode == "" {
			continue
		}
		r := store.Report{Provider: "solapi", MessageID: id, Code: m.StatusCode, Detail: m.StatusMessage, At: time.Now()}
		if m.StatusCode == statusDelivered {
			r.Status = notify.StatusDelivered
		} else {
			r.Status = notify.StatusUndelivered
			_, r.Refused = kakao.Refusal(m.StatusCode)
		}
		out = append(out, r)
	}
	return out, nil
}
