package ctl

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// ProblemError is an API error answer: the problem+json document notifyd writes, or
// whatever else came back, with its status.
type ProblemError struct {
	Status int         `json:"status"`
	Type   string      `json:"type,omitempty"`
	Title  string      `json:"title,omitempty"`
	Detail string      `json:"detail,omitempty"`
	Code   string      `json:"code,omitempty"`
	Field  string      `json:"field,omitempty"`
	Errors []ItemError `json:"errors,omitempty"`
}

// ItemError is one failed event of a batch.
type ItemError struct {
	Index  int    `json:"index"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
}

func problemFrom(res *http.Response, raw []byte) *ProblemError {
	p := &ProblemError{}
	if json.Unmarshal(raw, p) != nil || p.Title == "" {
		p = &ProblemError{Title: http.StatusText(res.StatusCode), Detail: strings.TrimSpace(string(raw))}
		if len(p.Detail) > 300 {
			p.Detail = p.Detail[:300] + "…"
		}
	}
	p.Status = res.StatusCode
	return p
}

// Error reads like "Invalid event (400 invalid_event): publishInformation.url must be an
// http or https URL [field publishInformation.url]".
func (p *ProblemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d", p.Title, p.Status)
	if p.Code != "" {
		b.WriteString(" " + p.Code)
	}
	b.WriteString(")")
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	if p.Field != "" {
		b.WriteString(" [field " + p.Field + "]")
	}
	for _, e := range p.Errors {
		fmt.Fprintf(&b, "\n  event %d: %s", e.Index, e.Detail)
		if e.Field != "" {
			b.WriteString(" [field " + e.Field + "]")
		}
	}
	return b.String()
}

// retryable reports whether waiting and trying again may help.
func (p *ProblemError) retryable() bool {
	return p.Status == http.StatusTooManyRequests || p.Status >= 500
}
