package nhn

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/kakao"
	"github.com/notifyd/notifyd/internal/channel/krtext"
)

// AlimTalk sends AlimTalks through NHN Cloud KakaoTalk Bizmessage (v2.3).
type AlimTalk struct{ *Client }

type atButton struct {
	Ordering int    `json:"ordering"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	LinkMo   string `json:"linkMo,omitempty"`
	LinkPc   string `json:"linkPc,omitempty"`
}

type resend struct {
	IsResend      bool   `json:"isResend"`
	ResendType    string `json:"resendType"` // SMS or LMS
	ResendTitle   string `json:"resendTitle,omitempty"`
	ResendContent string `json:"resendContent"`
	ResendSendNo  string `json:"resendSendNo"`
}

type atRecipient struct {
	RecipientNo          string            `json:"recipientNo"`
	TemplateParameter    map[string]string `json:"templateParameter,omitempty"`
	Buttons              []atButton        `json:"buttons,omitempty"`
	ResendParameter      *resend           `json:"resendParameter,omitempty"`
	RecipientGroupingKey string            `json:"recipientGroupingKey"`
}

type atRequest struct {
	SenderKey     string        `json:"senderKey"`
	TemplateCode  string        `json:"templateCode"`
	RecipientList []atRecipient `json:"recipientList"`
}

type sendResult struct {
	RecipientSeq         int    `json:"recipientSeq"`
	RecipientNo          string `json:"recipientNo"`
	ResultCode           int    `json:"resultCode"`
	ResultMessage        string `json:"resultMessage"`
	RecipientGroupingKey string `json:"recipientGroupingKey"`
}

type atResponse struct {
	Header  header `json:"header"`
	Message struct {
		RequestID   string       `json:"requestId"`
		SendResults []sendResult `json:"sendResults"`
	} `json:"message"`
}

// Send implements kakao.Provider. The message id notifyd records is the delivery's key,
// sent as recipientGroupingKey: NHN's result webhooks name the message by it, and it is
// known before the call, so a timeout still finds its report.
func (a AlimTalk) Send(ctx context.Context, m kakao.Message) (channel.Receipt, error) {
	r := channel.Receipt{Provider: "nhn", ProviderID: m.Key()}
	rc := atRecipient{RecipientNo: m.Domestic, TemplateParameter: m.AlimTalk.Variables, RecipientGroupingKey: m.Key()}
	for i, b := range m.AlimTalk.Buttons {
		rc.Buttons = append(rc.Buttons, atButton{Ordering: i + 1, Type: b.Type, Name: b.Name, LinkMo: b.URL, LinkPc: b.URL})
	}
	if m.Fallback != nil && a.From != "" {
		rc.ResendParameter = &resend{IsResend: true, ResendType: strings.ToUpper(string(m.Fallback.Kind)), ResendContent: m.Fallback.Text, ResendSendNo: a.From}
		if m.Fallback.Kind == krtext.LMS {
			rc.ResendParameter.ResendTitle = m.Fallback.Subject
		}
		r.ProviderFallback, r.Truncated = true, m.Fallback.Truncated
	}
	var resp atResponse
	u := strings.TrimRight(a.KakaoURL, "/") + "/alimtalk/v2.3/appkeys/" + url.PathEscape(a.AppKey) + "/messages"
	err := a.post(ctx, u, m.Key(), atRequest{SenderKey: a.SenderKey, TemplateCode: m.AlimTalk.Template, RecipientList: []atRecipient{rc}}, &resp)
	if err := answer(r, err, resp.Header); err != nil {
		return channel.Receipt{}, err
	}
	for _, s := range resp.Message.SendResults {
		if s.RecipientGroupingKey != m.Key() && s.RecipientNo != m.Domestic {
			continue
		}
		if s.ResultCode == 0 {
			return r, nil
		}
		return channel.Receipt{}, recipientError(r, s)
	}
	return channel.Receipt{}, channel.Transient("no_result", fmt.Errorf("nhn: request %s answered without a result for the recipient", resp.Message.RequestID))
}

// recipientError classifies a recipient's failed sendResult: a Kakao refusal code (the
// person cannot get it) is refused, anything else permanent. No fallback was made by
// NHN for a recipient it did not take.
func recipientError(r channel.Receipt, s sendResult) error {
	code := strconv.Itoa(s.ResultCode)
	err := fmt.Errorf("nhn: recipient %d: %s %s", s.RecipientSeq, code, s.ResultMessage)
	if _, ok := kakao.Refusal(strings.TrimPrefix(code, "-")); ok {
		r.ProviderFallback = false
		return channel.Refused(r, code, err)
	}
	return channel.Permanent(code, err)
}
