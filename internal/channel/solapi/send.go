package solapi

import (
	"context"
	"fmt"
	"strings"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/kakao"
	"github.com/notifyd/notifyd/internal/channel/krtext"
)

type button struct {
	ButtonType string `json:"buttonType"`
	ButtonName string `json:"buttonName"`
	LinkMo     string `json:"linkMo,omitempty"`
	LinkPc     string `json:"linkPc,omitempty"`
}

type kakaoOptions struct {
	PfID       string            `json:"pfId"`
	TemplateID string            `json:"templateId"`
	Variables  map[string]string `json:"variables,omitempty"` // "#{name}" → value
	DisableSms bool              `json:"disableSms"`
	Buttons    []button          `json:"buttons,omitempty"`
}

type message struct {
	To           string            `json:"to"`
	From         string            `json:"from,omitempty"`
	Text         string            `json:"text,omitempty"`
	Type         string            `json:"type"` // ATA, SMS, LMS
	Subject      string            `json:"subject,omitempty"`
	KakaoOptions *kakaoOptions     `json:"kakaoOptions,omitempty"`
	CustomFields map[string]string `json:"customFields"`
}

type sendRequest struct {
	Messages        []message `json:"messages"`
	AllowDuplicates bool      `json:"allowDuplicates"`
	ShowMessageList bool      `json:"showMessageList"`
}

type result struct {
	MessageID     string            `json:"messageId"`
	StatusCode    string            `json:"statusCode"`
	StatusMessage string            `json:"statusMessage"`
	CustomFields  map[string]string `json:"customFields"`
}

type sendResponse struct {
	FailedMessageList []result `json:"failedMessageList"`
	MessageList       []result `json:"messageList"`
	GroupInfo         struct {
		GroupID string `json:"groupId"`
	} `json:"groupInfo"`
}

// statusAccepted is a message Solapi took (2000 정상 접수).
const statusAccepted = "2000"

// send sends one message and returns its Solapi message id. The message carries the
// delivery's key in customFields; allowDuplicates false is Solapi's duplicate guard.
func (c *Client) send(ctx context.Context, key string, m message) (channel.Receipt, error) {
	m.CustomFields = map[string]string{"notifyd": key}
	r := channel.Receipt{Provider: "solapi"}
	var resp sendResponse
	err := c.do(ctx, "POST", "/messages/v4/send-many/detail", sendRequest{Messages: []message{m}, ShowMessageList: true}, &resp)
	switch {
	case channel.NoAnswer(err):
		// No id to wait for: recorded sent without one (docs/kakao.md: Solapi and timeouts).
		return channel.Receipt{}, channel.Unknown(r, err)
	case err != nil:
		return channel.Receipt{}, err
	}
	for _, f := range resp.FailedMessageList {
		if f.CustomFields["notifyd"] == key || len(resp.MessageList) == 0 {
			return channel.Receipt{}, failure(r, m.Type, f)
		}
	}
	for _, x := range resp.MessageList {
		if x.CustomFields["notifyd"] == key || len(resp.MessageList) == 1 {
			if x.StatusCode != statusAccepted {
				return channel.Receipt{}, failure(r, m.Type, x)
			}
			r.ProviderID = x.MessageID
			return r, nil
		}
	}
	return channel.Receipt{}, channel.Transient("no_result", fmt.Errorf("solapi: group %s answered without the message", resp.GroupInfo.GroupID))
}

// failure classifies a message Solapi did not take: a Kakao refusal code of an AlimTalk
// is refused (falls back), anything else permanent.
func failure(r channel.Receipt, typ string, f result) error {
	err := fmt.Errorf("solapi: %s %s", f.StatusCode, f.StatusMessage)
	if _, ok := kakao.Refusal(f.StatusCode); ok && typ == "ATA" {
		return channel.Refused(r, f.StatusCode, err)
	}
	return channel.Permanent(f.StatusCode, err)
}

// AlimTalk sends AlimTalks through Solapi (type ATA). Solapi's own SMS replacement is
// off (disableSms): notifyd's sms channel falls back, once.
type AlimTalk struct{ *Client }

// Send implements kakao.Provider.
func (a AlimTalk) Send(ctx context.Context, m kakao.Message) (channel.Receipt, error) {
	vars := make(map[string]string, len(m.AlimTalk.Variables))
	for k, v := range m.AlimTalk.Variables {
		vars["#{"+k+"}"] = v
	}
	ko := &kakaoOptions{PfID: a.PfID, TemplateID: m.AlimTalk.Template, Variables: vars, DisableSms: true}
	for _, b := range m.AlimTalk.Buttons {
		ko.Buttons = append(ko.Buttons, button{ButtonType: b.Type, ButtonName: b.Name, LinkMo: b.URL, LinkPc: b.URL})
	}
	return a.send(ctx, m.Key(), message{To: m.Domestic, From: a.From, Type: "ATA", KakaoOptions: ko})
}

// SMS sends Korean SMS and LMS through Solapi, chosen by EUC-KR length.
type SMS struct{ *Client }

// Send implements sms.Provider.
func (s SMS) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	to, ok := krtext.Domestic(m.To)
	if !ok {
		return channel.Receipt{}, channel.Skip(notify.ReasonNotKoreanNumber, fmt.Errorf("solapi sends to +82 numbers only, not %s", notify.MaskPhone(m.To)))
	}
	f := krtext.FitMessage(m)
	msg := message{To: to, From: s.From, Text: f.Text, Type: strings.ToUpper(string(f.Kind))}
	if f.Kind == krtext.LMS {
		msg.Subject = f.Subject
	}
	r, err := s.send(ctx, fmt.Sprintf("notifyd-%d", m.DeliveryID), msg)
	r.Truncated = f.Truncated
	return r, err
}
