package httpapi

import (
	"net/url"
	"strconv"

	notify "github.com/notifyd/notifyd"
)

// idPage is the paging of the admin lists that go by id (rejected messages, the webhook
// outbox): ?limit= (1 to maxLimit, default defaultLimit) and ?after=, the last id of the
// page before.
type idPage struct {
	limit int
	after int64
}

// parseIDPage reads ?limit= and ?after=; what names the rows in the error ("rejected
// message").
func parseIDPage(q url.Values, what string) (idPage, error) {
	p := idPage{limit: defaultLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return p, notify.FieldErrorf(notify.CodeInvalidQuery, "limit", "must be an integer from 1 to %d", maxLimit)
		}
		p.limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return p, notify.FieldErrorf(notify.CodeInvalidQuery, "after", "must be a %s id", what)
		}
		p.after = n
	}
	return p, nil
}

// cut returns the page of list, which was fetched with one row more than the page, never
// nil (an empty page is [] in JSON), and the ?after= of the next page: 0 on the last.
func cut[T any](p idPage, list []T, id func(T) int64) (page []T, next int64) {
	page = list[:min(len(list), p.limit)]
	if page == nil {
		page = []T{}
	}
	if len(list) > p.limit {
		next = id(list[p.limit-1])
	}
	return page, next
}
