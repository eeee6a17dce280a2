package awsbody

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

type recorder struct{ body io.ReadCloser }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.body = req.Body
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

// The body net/http sees keeps its bytes but not WriteTo (the method whose io.EOF after
// an early close tears the connection down), and wrapping twice wraps once.
func TestBodyLosesWriteTo(t *testing.T) {
	rec := &recorder{}
	c := Wrap(rec)
	if Wrap(c) != c {
		t.Error("wrapping a wrapped client wrapped it again")
	}
	body := io.NopCloser(bytes.NewReader([]byte("Action=ReceiveMessage")))
	if _, ok := body.(io.WriterTo); !ok {
		t.Fatal("the test body should offer WriteTo, as the SDK's does")
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", body)
	if _, err := c.Do(req); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.body.(io.WriterTo); ok {
		t.Error("the body handed on still offers WriteTo")
	}
	got, err := io.ReadAll(rec.body)
	if err != nil || string(got) != "Action=ReceiveMessage" {
		t.Errorf("body read %q, %v; want the request's bytes", got, err)
	}

	req, _ = http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	if _, err := c.Do(req); err != nil || rec.body != nil {
		t.Errorf("a request without a body got %v (%v)", rec.body, err)
	}
}
