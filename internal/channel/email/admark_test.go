package email

import (
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
)

// TestRenderMarksAdvertising: an advertisement's subject and text start with "(광고)", its
// text ends with the footer, and its HTML carries both (escaped); other mail is untouched.
func TestRenderMarksAdvertising(t *testing.T) {
	r, err := NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Message{Type: "SALE", Text: "겨울 세일 <50%>", URL: "https://shop.example/sale"}
	plain, err := r.Render(m)
	if err != nil || strings.Contains(plain.Subject+plain.Text+plain.HTML, "광고") {
		t.Fatalf("a message not advertising: %+v, %v", plain, err)
	}
	m.Advertising, m.AdFooter = true, "샵 <무료수신거부> 080-000-0000"
	c, err := r.Render(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Subject, "(광고) ") || !strings.HasPrefix(c.Text, "(광고) ") || !strings.HasSuffix(c.Text, "\n"+m.AdFooter+"\n") {
		t.Errorf("subject %q, text %q: want the prefix on both and the footer last", c.Subject, c.Text)
	}
	if !strings.Contains(c.HTML, "<p>(광고)</p>") || !strings.Contains(c.HTML, "<p>샵 &lt;무료수신거부&gt; 080-000-0000</p>") {
		t.Errorf("html %q: want the prefix and the escaped footer as paragraphs", c.HTML)
	}
	if i, j := strings.Index(c.HTML, "(광고)"), strings.Index(c.HTML, "080-000-0000"); strings.Contains(c.HTML, "<body") &&
		(i < strings.Index(c.HTML, "<body") || j > strings.LastIndex(c.HTML, "</body>")) {
		t.Errorf("html %q: the marks belong inside the body", c.HTML)
	}
}
