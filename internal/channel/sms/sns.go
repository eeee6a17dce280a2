package sms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/awsbody"
	"github.com/notifyd/notifyd/internal/channel"
)

// SMS types SNS knows. Transactional messages (one-time codes, order updates) are delivered
// with the higher reliability route; Promotional ones are cheaper.
const (
	SMSTransactional = "Transactional"
	SMSPromotional   = "Promotional"
)

// SNSPublisher is the one call SNS needs; *sns.Client implements it.
type SNSPublisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ SNSPublisher = (*sns.Client)(nil)

// SNSOptions configures the SNS sender. The zero value sends Transactional SMS with the
// account's default sender id, one SDK attempt per Send, and a 10 s time limit per Send.
type SNSOptions struct {
	SMSType           string        // SMSTransactional (default) or SMSPromotional
	SenderID          string        // AWS.SNS.SMS.SenderID, 1–11 letters and digits; empty = account default
	OriginationNumber string        // AWS.MM.SMS.OriginationNumber (E.164); empty = SNS chooses
	MaxAttempts       int           // SDK attempts per Send; 0 or 1 = the SDK never retries (see SNS)
	Timeout           time.Duration // limit for one Send, on top of ctx; 0 = 10 s, <0 = none
}

// SNS sends SMS directly to a phone number with AWS SNS Publish. It needs the IAM action
// sns:Publish (Resource "*": a phone number is no ARN).
//
// Retries: the delivery worker retries transient failures with backoff and counts every
// attempt, and SNS Publish to a phone number takes no idempotency key, so every retry may
// text the recipient again. The sender therefore tells the SDK not to retry at all
// (MaxAttempts 1, whatever AWS_MAX_ATTEMPTS says): each Send is one HTTP request, visible
// in the delivery's attempts and last error, under the worker's caps and backoff.
type SNS struct {
	api     SNSPublisher
	attrs   map[string]types.MessageAttributeValue
	retryer aws.Retryer
	timeout time.Duration
}

var _ Provider = (*SNS)(nil)

// NewSNS returns an SNS sender using a client made from cfg (region, credentials and
// endpoint, e.g. AWS_ENDPOINT_URL, come from cfg).
func NewSNS(cfg aws.Config, o SNSOptions) (*SNS, error) {
	// Through awsbody: the SDK would otherwise lose an answer it had received and publish
	// the same text a second time on its retry.
	return NewSNSWithClient(sns.NewFromConfig(cfg, func(o *sns.Options) {
		o.HTTPClient = awsbody.Wrap(o.HTTPClient)
	}), o)
}

// NewSNSWithClient returns an SNS sender using api. The sender's retry policy is applied to
// every call, so a client built with the SDK's default retryer is fine.
func NewSNSWithClient(api SNSPublisher, o SNSOptions) (*SNS, error) {
	switch {
	case o.SMSType == "":
		o.SMSType = SMSTransactional
	case strings.EqualFold(o.SMSType, SMSTransactional):
		o.SMSType = SMSTransactional
	case strings.EqualFold(o.SMSType, SMSPromotional):
		o.SMSType = SMSPromotional
	default:
		return nil, fmt.Errorf("sns: sms type %q: want %s or %s", o.SMSType, SMSTransactional, SMSPromotional)
	}
	if o.SenderID != "" && !validSenderID(o.SenderID) {
		return nil, fmt.Errorf("sns: sender id %q: want 1-11 letters and digits with at least one letter", o.SenderID)
	}
	if o.OriginationNumber != "" && !validE164(o.OriginationNumber) {
		return nil, fmt.Errorf("sns: origination number %q is not E.164", o.OriginationNumber)
	}
	s := &SNS{api: api, attrs: map[string]types.MessageAttributeValue{}, timeout: o.Timeout}
	if s.timeout == 0 {
		s.timeout = 10 * time.Second
	}
	s.attrs["AWS.SNS.SMS.SMSType"] = stringAttr(o.SMSType)
	if o.SenderID != "" {
		s.attrs["AWS.SNS.SMS.SenderID"] = stringAttr(o.SenderID)
	}
	if o.OriginationNumber != "" {
		s.attrs["AWS.MM.SMS.OriginationNumber"] = stringAttr(o.OriginationNumber)
	}
	if o.MaxAttempts <= 1 {
		s.retryer = aws.NopRetryer{}
	} else {
		s.retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.MaxAttempts = o.MaxAttempts })
	}
	return s, nil
}

// Send implements Provider. The provider id is the SNS MessageId.
func (s *SNS) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	if !validE164(m.To) {
		return channel.Receipt{}, channel.Permanent("InvalidPhoneNumber", fmt.Errorf("sns: %q is not an E.164 phone number", notify.MaskPhone(m.To)))
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	out, err := s.api.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(m.To),
		Message:           aws.String(Text(m)),
		MessageAttributes: s.attrs,
	}, s.policy)
	if err != nil {
		return channel.Receipt{}, classifySNS(redactPhone(err, m.To))
	}
	if out == nil || aws.ToString(out.MessageId) == "" {
		// SNS accepted the message; without an id there is nothing to retry for.
		return channel.Receipt{Provider: "sns", ProviderID: "sns-" + fmt.Sprint(m.DeliveryID)}, nil
	}
	return channel.Receipt{Provider: "sns", ProviderID: aws.ToString(out.MessageId)}, nil
}

// policy overrides the client's retry settings for one call. RetryMaxAttempts 0 keeps the
// SDK from wrapping the retryer with the client's (or AWS_MAX_ATTEMPTS') count.
func (s *SNS) policy(o *sns.Options) {
	o.Retryer = s.retryer
	o.RetryMaxAttempts = 0
}

func stringAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

// validE164 reports whether p is +, then 2 to 15 digits not starting with 0.
func validE164(p string) bool {
	if len(p) < 3 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func validSenderID(id string) bool {
	if len(id) > 11 {
		return false
	}
	letter := false
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}

// redactPhone masks the number wherever the error text carries it, so that the delivery's
// last error and the logs never hold it whole.
func redactPhone(err error, phone string) error {
	if phone == "" || !strings.Contains(err.Error(), phone) {
		return err
	}
	return &redactedError{err: err, phone: phone}
}

type redactedError struct {
	err   error
	phone string
}

func (e *redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.phone, notify.MaskPhone(e.phone))
}

func (e *redactedError) Unwrap() error { return e.err }
