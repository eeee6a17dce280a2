package apicheck_test

import (
	"testing"

	"github.com/notifyd/notifyd/internal/testenv/apicheck"
)

// The served /openapi.yaml is a valid OpenAPI 3.1 document, checked against the
// specification's own schema by libopenapi-validator (an itemSchema, a 3.2 keyword, on
// the SSE stream failed it).
func TestSpecValidatesAsOpenAPI31(t *testing.T) {
	v, err := apicheck.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("docs/openapi.yaml: %s: %s (line %d)", e.Message, e.Reason, e.SpecLine)
			for _, f := range e.SchemaValidationErrors {
				t.Errorf("  %s: %s (line %d)", f.FieldPath, f.Reason, f.Line)
			}
		}
	}
}
