package email

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"os/exec"
	"strings"
	"testing"
)

var subjects = []string{
	"[주문 1001] 결제 실패 안내",
	"[주문 1001] 결제에 실패했습니다. 카드사 사정으로 승인이 거절되었으니 다른 결제 수단으로 다시 시도해 주세요. 감사합니다.",
	"Your order 1001 has shipped and is on its way to you: track it any time from your order page, we will let you know when it arrives",
	"Mixed 한글 and English in one fairly long subject line that must be folded somewhere in the middle ✓",
	"short",
}

// The Subject a real SMTP exchange carries is read back exactly by net/mail (and the
// mime word decoder), the raw header never breaks right after "Subject:", every line is
// within 78 characters, and Python's email package (when python3 is here) reads it back
// with no leading space.
func TestSubjectHeaderParsesCleanly(t *testing.T) {
	b := &mailServer{}
	port, pool := startSMTP(t, b, false, false)
	s := newSMTPSender(t, fmt.Sprintf("smtp://127.0.0.1:%d", port), pool)
	for i, want := range subjects {
		m := paymentFailed
		m.DeliveryID = int64(100 + i)
		m.Type = "ORDER_CREATED" // no email template: the subject is the message
		m.Text = want
		if _, err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		raw := b.got[len(b.got)-1].data
		head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
		line := subjectLines(head)
		if strings.HasPrefix(line, "Subject:\r\n") || strings.HasPrefix(line, "Subject: \r\n") {
			t.Errorf("%q: the header folds right after the colon:\n%s", want, line)
		}
		for _, l := range strings.Split(line, "\r\n") {
			if len(l) > maxLine {
				t.Errorf("%q: header line of %d characters: %q", want, len(l), l)
			}
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || got != want {
			t.Errorf("net/mail reads %q (%v), want %q", got, err, want)
		}
		if py, err := exec.LookPath("python3"); err == nil {
			cmd := exec.Command(py, "-c", `import sys, email, email.policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
sys.stdout.write(str(m["subject"]))`)
			cmd.Stdin = strings.NewReader(string(raw))
			out, err := cmd.Output()
			if err != nil || string(out) != want {
				t.Errorf("python's email package reads %q (%v), want %q", out, err, want)
			}
		}
	}
}

// subjectLines is the Subject header of a raw header block, folded lines included.
func subjectLines(head string) string {
	lines := strings.Split(head, "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Subject:") {
			out := []string{l}
			for _, c := range lines[i+1:] {
				if !strings.HasPrefix(c, " ") && !strings.HasPrefix(c, "\t") {
					break
				}
				out = append(out, c)
			}
			return strings.Join(out, "\r\n")
		}
	}
	return ""
}
