// Package preview renders what an event would send on each channel, without storing or
// sending anything: the console's template screen (POST /v1/admin/preview).
package preview

import (
	"encoding/json"
	"slices"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel/email"
	"github.com/notifyd/notifyd/internal/channel/krtext"
	"github.com/notifyd/notifyd/internal/channel/mobile"
	"github.com/notifyd/notifyd/internal/channel/sms"
	"github.com/notifyd/notifyd/internal/channel/webpush"
)

// Korean carriers' limits, in EUC-KR (CP949) bytes: a text up to SMSBytes goes as SMS,
// longer as LMS up to LMSBytes.
const (
	SMSBytes = 90
	LMSBytes = 2000
)

// Result is an event rendered for every channel its recipients are routed to.
type Result struct {
	Type     string              `json:"type"`
	Channels map[string][]string `json:"channels"` // per role
	Inbox    Inbox               `json:"inbox"`
	SMS      SMS                 `json:"sms"`
	Email    *Email              `json:"email,omitempty"`
	Push     json.RawMessage     `json:"push"`
	// MobilePush is the push an app gets (FCM, APNs), titled with the type's label.
	MobilePush MobilePush `json:"mobilePush"`
	// Kakao is the AlimTalk, for a type with a kakao block.
	Kakao *Kakao `json:"kakao,omitempty"`
	// Advertising: the type is an advertisement, and the SMS, email and mobile push above
	// carry its marks ("(광고) " and AdFooter, NOTIFY_AD_FOOTER, "" when it is not set).
	Advertising bool   `json:"advertising"`
	AdFooter    string `json:"adFooter,omitempty"`
}

// MobilePush is what a device shows.
type MobilePush struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url,omitempty"`
}

// Inbox is the notification as the inbox lists it.
type Inbox struct {
	Message string `json:"message"`
	URL     string `json:"url,omitempty"`
}

// SMS is the text message: its body, its size as carriers count it, and which kind it is.
type SMS struct {
	Text  string `json:"text"`
	Bytes int    `json:"bytes"`
	Kind  string `json:"kind"` // SMS, LMS, or "too long" past LMSBytes
	// Unencodable lists characters EUC-KR cannot carry (an emoji): carriers replace them.
	Unencodable []string `json:"unencodable,omitempty"`
}

// Email is the rendered email; the HTML is shown in a sandboxed frame.
type Email struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// Renderer renders previews with the service's email templates.
type Renderer struct {
	emails   *email.Renderer
	reg      *notify.Registry
	adFooter string
}

// New compiles reg's email templates (as the email channel does); adFooter is
// NOTIFY_AD_FOOTER, the line every advertisement ends with.
func New(reg *notify.Registry, adFooter string) (*Renderer, error) {
	e, err := email.NewRenderer(reg)
	if err != nil {
		return nil, err
	}
	return &Renderer{emails: e, reg: reg, adFooter: adFooter}, nil
}

// Render renders p, a prepared (validated, routed) event.
func (r *Renderer) Render(p *notify.Prepared) (*Result, error) {
	ev := p.Event
	m := notify.Message{Channel: notify.ChannelSMS, Type: ev.Type, Text: ev.Message, URL: ev.URL, EventID: ev.EventID, Data: ev.Data}
	if len(ev.Recipients) > 0 {
		m.UserID = ev.Recipients[0].UserID
	}
	res := &Result{Type: ev.Type, Channels: map[string][]string{}, Inbox: Inbox{Message: ev.Message, URL: ev.URL}}
	for _, t := range p.Targets {
		role := string(t.Role)
		for _, c := range t.Channels {
			if !slices.Contains(res.Channels[role], string(c)) {
				res.Channels[role] = append(res.Channels[role], string(c))
			}
		}
	}
	// As the delivery worker marks an advertisement's messages before any channel sends.
	t, _ := r.reg.Lookup(ev.Type)
	if t != nil && t.Advertising {
		m.Advertising, m.AdFooter = true, r.adFooter
		res.Advertising, res.AdFooter = true, r.adFooter
	}
	res.SMS = smsOf(sms.Text(m))
	content, err := r.emails.Render(m)
	if err != nil {
		return nil, err
	}
	res.Email = &Email{Subject: content.Subject, Text: content.Text, HTML: content.HTML}
	res.Push, err = json.Marshal(webpush.PayloadOf(m))
	if err != nil {
		return nil, err
	}
	var labels map[string]string
	if t != nil {
		labels = t.Labels
	}
	mp := mobile.Compose(m, mobile.Title(labels, m.Type, "", ""), 0)
	res.MobilePush = MobilePush{Title: mp.Title, Body: mp.Body, URL: mp.URL}
	if t != nil && t.Kakao != nil {
		m.Channel = notify.ChannelKakao
		if len(ev.Recipients) > 0 {
			m.To = ev.Recipients[0].Phone
		}
		res.Kakao = kakaoOf(t, m)
	}
	return res, nil
}

func smsOf(text string) SMS {
	s := SMS{Text: text, Bytes: EUCKRBytes(text), Kind: "SMS"}
	switch {
	case s.Bytes > LMSBytes:
		s.Kind = "too long"
	case s.Bytes > SMSBytes:
		s.Kind = "LMS"
	}
	for _, c := range text {
		if c >= utf8.RuneSelf && encodedLen(c) == 0 && !slices.Contains(s.Unencodable, string(c)) {
			s.Unencodable = append(s.Unencodable, string(c))
		}
	}
	return s
}

// EUCKRBytes counts text as Korean carriers do, as the Korean SMS providers measure it
// before they send (internal/channel/krtext).
func EUCKRBytes(text string) int { return krtext.Bytes(text) }

// encodedLen is c's length in CP949, 0 when it has none. x/text's EUC-KR is CP949
// (Unified Hangul Code), so the 8,822 syllables outside KS X 1001 count 2 as well.
func encodedLen(c rune) int {
	b, err := korean.EUCKR.NewEncoder().Bytes([]byte(string(c)))
	if err != nil {
		return 0
	}
	return len(b)
}
