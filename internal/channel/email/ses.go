package email

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/notifyd/notifyd/internal/awsbody"
	"github.com/notifyd/notifyd/internal/channel"
)

// SESAPI is the one call the SES provider makes; *sesv2.Client implements it.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

var _ SESAPI = (*sesv2.Client)(nil)

// SES sends with AWS SES v2 SendEmail (simple content: SES builds the MIME from the
// subject and both bodies). It needs the IAM action ses:SendEmail. Like the SNS SMS
// provider it tells the SDK not to retry: the delivery engine retries transient failures
// with backoff and counts each attempt.
type SES struct {
	api       SESAPI
	configSet string
}

// NewSES returns an SES provider using a client made from cfg (region, credentials and
// endpoint, e.g. AWS_ENDPOINT_URL, come from cfg). configSet may be empty.
func NewSES(cfg aws.Config, configSet string) *SES {
	// Through awsbody: the SDK would otherwise lose an answer it had received and send the
	// same mail a second time on its retry.
	return &SES{api: sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		o.HTTPClient = awsbody.Wrap(o.HTTPClient)
	}), configSet: configSet}
}

// Deliver implements Provider. The receipt's provider id is SES's MessageId.
func (s *SES) Deliver(ctx context.Context, m Mail) (channel.Receipt, error) {
	utf8 := aws.String("UTF-8")
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.From),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(m.Text), Charset: utf8},
				Html: &types.Content{Data: aws.String(m.HTML), Charset: utf8},
			},
		}},
	}
	if s.configSet != "" {
		in.ConfigurationSetName = aws.String(s.configSet)
	}
	out, err := s.api.SendEmail(ctx, in, func(o *sesv2.Options) { o.Retryer = aws.NopRetryer{} })
	if err != nil {
		return channel.Receipt{}, classifySES(err)
	}
	return channel.Receipt{Provider: "ses", ProviderID: aws.ToString(out.MessageId)}, nil
}

// classifySES: throttling, a paused account and server faults are transient; a rejected
// message or a bad request is permanent.
func classifySES(err error) error {
	var (
		tooMany  *types.TooManyRequestsException
		limit    *types.LimitExceededException
		paused   *types.SendingPausedException
		rejected *types.MessageRejected
		badReq   *types.BadRequestException
		notVer   *types.MailFromDomainNotVerifiedException
		api      smithy.APIError
	)
	switch {
	case errors.As(err, &tooMany), errors.As(err, &limit), errors.As(err, &paused):
		return channel.Transient(errCode(err), err)
	case errors.As(err, &rejected), errors.As(err, &badReq), errors.As(err, &notVer):
		return channel.Permanent(errCode(err), err)
	case errors.As(err, &api) && api.ErrorFault() == smithy.FaultClient:
		return channel.Permanent(api.ErrorCode(), err)
	}
	return channel.Transient(errCode(err), fmt.Errorf("ses: %w", err))
}

func errCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}
