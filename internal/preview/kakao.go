package preview

import (
	"errors"
	"strings"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/kakao"
	"github.com/notifyd/notifyd/internal/channel/krtext"
)

// Kakao is the AlimTalk a sample event sends, as the kakao channel renders it for its
// provider (kakao.Render), with the template check's result.
type Kakao struct {
	// Template is the template code (Solapi's templateId, NHN's templateCode).
	Template string `json:"template"`
	// Approved is the registered template's text with its #{…} placeholders: Kakao
	// refuses (3016) a text that differs from it once they are filled.
	Approved  string            `json:"approved"`
	Text      string            `json:"text,omitempty"`
	Variables map[string]string `json:"variables,omitempty"`
	Buttons   []KakaoButton     `json:"buttons,omitempty"`
	// Fallback is the SMS or LMS sent should Kakao not reach the person; nil when the
	// type's fallback is none (or the check failed).
	Fallback *KakaoFallback `json:"fallback,omitempty"`
	Check    TemplateCheck  `json:"check"`
	// Number is not_korean_number when the first recipient's phone number in the event is
	// not a +82 number (the AlimTalk would be skipped); "" otherwise (a recipient without
	// one in the event is sent to the profile's).
	Number string `json:"number,omitempty"`
}

// KakaoButton is a button of the AlimTalk with its link rendered.
type KakaoButton struct {
	Type string `json:"type"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// KakaoFallback is the text message of the fallback, fitted as the providers send it.
type KakaoFallback struct {
	Kind      string `json:"kind"` // SMS or LMS
	Text      string `json:"text"`
	Subject   string `json:"subject,omitempty"` // an LMS's title
	Bytes     int    `json:"bytes"`             // EUC-KR, as carriers count
	Truncated bool   `json:"truncated,omitempty"`
}

// TemplateCheck is the template check of the sample: the type's kakao block passed the
// start-up check against the registered template (the server would not run otherwise);
// OK says whether the send-time check passes too, every #{…} filled with a non-empty
// value. When it fails, Reason is the delivery's reason (template_variable_empty),
// Variable the placeholder at fault and Error the whole message.
type TemplateCheck struct {
	OK       bool   `json:"ok"`
	Reason   string `json:"reason,omitempty"`
	Variable string `json:"variable,omitempty"`
	Error    string `json:"error,omitempty"`
}

func kakaoOf(t *notify.EventType, m notify.Message) *Kakao {
	k := &Kakao{Template: t.Kakao.Template, Approved: t.Kakao.Approved().Text, Check: TemplateCheck{OK: true}}
	if _, ok := krtext.Domestic(m.To); m.To != "" && !ok {
		k.Number = notify.ReasonNotKoreanNumber
	}
	a, fb, err := kakao.Render(t, m)
	if err != nil {
		k.Check = TemplateCheck{Reason: "template", Error: err.Error()}
		if e := channel.AsError(err); e != nil && e.Err != nil {
			k.Check.Error = e.Err.Error() // without the delivery engine's "permanent error:"
			if e.Reason != "" {
				k.Check.Reason = e.Reason
			}
		}
		if empty := (*notify.EmptyVariableError)(nil); errors.As(err, &empty) {
			k.Check.Variable = empty.Variable
		}
		return k
	}
	k.Text, k.Variables = a.Text, a.Variables
	for _, b := range a.Buttons {
		k.Buttons = append(k.Buttons, KakaoButton{Type: b.Type, Name: b.Name, URL: b.URL})
	}
	if fb != nil {
		k.Fallback = &KakaoFallback{Kind: strings.ToUpper(string(fb.Kind)), Text: fb.Text, Subject: fb.Subject, Bytes: krtext.Bytes(fb.Text), Truncated: fb.Truncated}
	}
	return k
}
