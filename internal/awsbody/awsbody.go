// Package awsbody keeps the AWS SDK for Go v2 from losing answers it has already
// received. Wrap an SDK client's HTTP client with it, in the client's options:
// o.HTTPClient = awsbody.Wrap(o.HTTPClient).
//
// The race, reproduced in TestAnswerSurvivesTheBodyClose: the SDK's HTTP handler
// (smithy-go) hands net/http a request body that also implements io.WriterTo, and closes
// it as soon as Do returns, that is once the answer's headers are in. net/http sends a
// body of that kind straight to the socket after flushing the headers, and only then
// reads it once more to check that it is at its end. When the server answers in between
// (a quick server on the same host, a loaded machine), that last read goes through
// WriteTo on the closed body, which answers io.EOF; io.Copy passes an error from WriteTo
// through as it is, so net/http takes it for a failed request body, closes the
// connection, and the answer being read fails with "use of closed network connection".
// The SDK retries the call: for ReceiveMessage the first answer's messages are then in
// flight with nobody holding them, and wait out their visibility timeout; for a send or
// a publish the retry sends the message again. (aws-sdk-go-v2 issues #1825 and #2737
// report the symptom; the SDK's fix was to retry it.)
//
// Hiding WriterTo makes net/http read the body with Read, which after the close answers
// io.EOF, the normal end of a body that was already sent whole. Written by hand because
// it is a one-type wrapper around the SDK's own client; no library does it.
package awsbody

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Wrap returns next (the SDK's default client when nil) with every request body reduced
// to Read and Close.
func Wrap(next aws.HTTPClient) aws.HTTPClient {
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	if _, ok := next.(client); ok {
		return next
	}
	return client{next: next}
}

type client struct{ next aws.HTTPClient }

func (c client) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = readCloser{r.Body}
	}
	return c.next.Do(r)
}

// readCloser has only the methods of io.ReadCloser, whatever the body it holds has.
type readCloser struct{ io.ReadCloser }
