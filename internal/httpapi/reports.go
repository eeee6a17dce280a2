package httpapi

import (
	"errors"
	"io"
	"net/http"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

// ReportParser verifies a provider's delivery-report callback as that provider signs it
// and reads its reports (store.ErrBadSignature: refused with 401, nothing changed).
type ReportParser interface {
	Parse(h http.Header, body []byte) ([]store.Report, error)
}

// maxReportBody bounds one report callback (providers batch up to a few hundred results).
const maxReportBody = 1 << 20

func (s *Server) routeReports() {
	// No notifyd credential: a provider cannot send one. Each provider's own signature
	// is the guard (ReportParser).
	s.Route("POST /v1/providers/{provider}/reports", s.handle(s.postReports))
}

// reportAnswer says what became of a callback's reports.
type reportAnswer struct {
	Received   int `json:"received"`
	Applied    int `json:"applied"`    // moved a delivery (or found it already final)
	Pending    int `json:"pending"`    // kept: their send is not recorded yet
	Duplicates int `json:"duplicates"` // seen before: nothing changed
}

func (s *Server) postReports(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("provider")
	p, ok := s.o.Reports[name]
	if !ok {
		return notify.Errorf(notify.CodeNotFound, "provider %q sends no reports here (configured: the kakao and sms providers that call back, such as nhn)", name)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReportBody))
	if err != nil {
		return notify.Errorf(notify.CodeTooLarge, "report body over %d bytes", maxReportBody)
	}
	reports, err := p.Parse(r.Header, body)
	if errors.Is(err, store.ErrBadSignature) {
		return notify.Errorf(notify.CodeUnauthorized, "%s report: %v", name, err)
	}
	if err != nil {
		return &notify.Error{Code: notify.CodeInvalidJSON, Message: err.Error(), Err: err}
	}
	ans := reportAnswer{Received: len(reports)}
	fellBack := false
	for _, rep := range reports {
		res, err := s.o.Store.ApplyReport(r.Context(), rep)
		if err != nil {
			return err // the provider retries; what was applied stays applied, a replay is a no-op
		}
		switch {
		case res.Duplicate:
			ans.Duplicates++
		case res.DeliveryID == 0:
			ans.Pending++
		default:
			ans.Applied++
		}
		fellBack = fellBack || res.FallbackID != 0
	}
	if fellBack && s.o.ReportsKick != nil {
		s.o.ReportsKick()
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}
