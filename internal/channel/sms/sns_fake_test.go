package sms_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeSNS answers the SNS Query API (protocol awsquery, the one service/sns serializes
// Publish with) as AWS does: a signed form POST to /, XML back.
type fakeSNS struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	publish []url.Values     // every well-formed Publish received
	answer  http.HandlerFunc // how to answer a Publish; nil = success
	ids     int              // message ids handed out
}

func newFakeSNS(t *testing.T) *fakeSNS {
	t.Helper()
	f := &fakeSNS{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSNS) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		writeSNSError(w, http.StatusNotFound, "Sender", "InvalidAction", "unexpected "+r.Method+" "+r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		writeSNSError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", "content type "+ct)
		return
	}
	// SigV4 for service "sns": AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sns/aws4_request, …
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, "/us-east-1/sns/aws4_request") {
		writeSNSError(w, http.StatusForbidden, "Sender", "MissingAuthenticationToken", "request is not signed for sns: "+auth)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeSNSError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	form := r.PostForm
	if form.Get("Action") != "Publish" || form.Get("Version") != "2010-03-31" {
		writeSNSError(w, http.StatusBadRequest, "Sender", "InvalidAction", "want Action=Publish&Version=2010-03-31, got "+form.Encode())
		return
	}
	f.mu.Lock()
	f.publish = append(f.publish, form)
	answer := f.answer
	f.ids++
	id := f.ids
	f.mu.Unlock()
	if answer != nil {
		answer(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", fmt.Sprintf("req-%d", id))
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult>
    <MessageId>msg-%d</MessageId>
  </PublishResult>
  <ResponseMetadata>
    <RequestId>req-%d</RequestId>
  </ResponseMetadata>
</PublishResponse>`, id, id)
}

func (f *fakeSNS) setAnswer(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = h
}

func (f *fakeSNS) requests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.publish...)
}

// writeSNSError writes an SNS error document as AWS does.
func writeSNSError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", "req-err")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error>
    <Type>%s</Type>
    <Code>%s</Code>
    <Message>%s</Message>
  </Error>
  <RequestId>req-err</RequestId>
</ErrorResponse>`, typ, code, msg)
}

type snsAttr struct{ DataType, StringValue string }

// messageAttributes decodes MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue}.
func messageAttributes(form url.Values) map[string]snsAttr {
	attrs := map[string]snsAttr{}
	for n := 1; ; n++ {
		p := "MessageAttributes.entry." + strconv.Itoa(n) + "."
		name := form.Get(p + "Name")
		if name == "" {
			return attrs
		}
		attrs[name] = snsAttr{DataType: form.Get(p + "Value.DataType"), StringValue: form.Get(p + "Value.StringValue")}
	}
}
