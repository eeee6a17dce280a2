package nhn

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/krtext"
)

// SMS sends Korean SMS and LMS through NHN Cloud SMS v3.0: up to 90 EUC-KR bytes through
// sender/sms, longer through sender/mms (LMS, with a title), cut to 2,000 bytes.
type SMS struct{ *Client }

type smsRecipient struct {
	RecipientNo          string `json:"recipientNo"`
	RecipientGroupingKey string `json:"recipientGroupingKey"`
}

type smsRequest struct {
	Title         string         `json:"title,omitempty"`
	Body          string         `json:"body"`
	SendNo        string         `json:"sendNo"`
	RecipientList []smsRecipient `json:"recipientList"`
}

type smsResponse struct {
	Header header `json:"header"`
	Body   struct {
		Data struct {
			RequestID      string       `json:"requestId"`
			StatusCode     string       `json:"statusCode"`
			SendResultList []sendResult `json:"sendResultList"`
		} `json:"data"`
	} `json:"body"`
}

// Send implements sms.Provider. The message id is the delivery's key, as for AlimTalk, and
// it goes as X-NC-API-IDEMPOTENCY-KEY too (docs/kakao.md: an assumption for the SMS API).
func (s SMS) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	to, ok := krtext.Domestic(m.To)
	if !ok {
		return channel.Receipt{}, channel.Skip(notify.ReasonNotKoreanNumber, fmt.Errorf("nhn sends to +82 numbers only, not %s", notify.MaskPhone(m.To)))
	}
	key := fmt.Sprintf("notifyd-%d", m.DeliveryID)
	f := krtext.FitMessage(m)
	r := channel.Receipt{Provider: "nhn", ProviderID: key, Truncated: f.Truncated}
	req := smsRequest{Body: f.Text, SendNo: s.From, RecipientList: []smsRecipient{{RecipientNo: to, RecipientGroupingKey: key}}}
	path := "/sender/sms"
	if f.Kind == krtext.LMS {
		path, req.Title = "/sender/mms", f.Subject
	}
	var resp smsResponse
	u := strings.TrimRight(s.SMSURL, "/") + "/sms/v3.0/appKeys/" + url.PathEscape(s.AppKey) + path
	err := s.post(ctx, u, key, req, &resp)
	if err := answer(r, err, resp.Header); err != nil {
		return channel.Receipt{}, err
	}
	for _, x := range resp.Body.Data.SendResultList {
		if x.ResultCode != 0 {
			return channel.Receipt{}, channel.Permanent(strconv.Itoa(x.ResultCode), fmt.Errorf("nhn sms: %d %s", x.ResultCode, x.ResultMessage))
		}
	}
	return r, nil
}
