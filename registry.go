package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"time"
)

// EventType is one registered notificationType: how to render its text when the producer
// sent none, and which channels each role gets.
type EventType struct {
	Name     string
	Message  string // text/template over the event's data; used when the event has no message
	URL      string // text/template over the event's data; used when the event has no url
	Channels map[Role][]Channel
	Email    *EmailTemplate // nil: the default email layout
	// Digest, when set, gathers a user's events of this type and key into one
	// notification per window (see digest.go).
	Digest *Digest
	// Throttle, when set, caps how many notifications of this type (and key) a user gets
	// per window (see throttle.go).
	Throttle *Throttle
	// Required types ignore opt-outs and quiet hours (payments, security).
	Required bool
	// QuietHours: deliveries follow the service's default quiet hours (NOTIFY_QUIET_HOURS).
	QuietHours bool
	// Escalate delays a channel and sends it only if the notification is still unread
	// then: {sms: 5m}.
	Escalate map[Channel]time.Duration
	// Labels name the type to people, by language ("ko", "en"): the settings screens show
	// them instead of the code. A language without one falls back to the code.
	Labels map[string]string
	// Kakao is the type's AlimTalk (template and variables), for the kakao channel.
	Kakao *Kakao
	// Advertising types go only to users who consented, with the advertising marks.
	Advertising bool
	// Retain is how long its notifications are kept (0: NOTIFY_RETENTION).
	Retain time.Duration

	message, url *template.Template
}

// Registry holds the known event types. It is read-only once built, so it is safe to share.
type Registry struct {
	types    map[string]*EventType
	webhooks []Webhook
}

// DefaultChannels routes buyers to live push and SMS, owners and admins to live push.
func DefaultChannels() map[Role][]Channel {
	return map[Role][]Channel{
		RoleCustomer: {ChannelInbox, ChannelSMS},
		RoleOwner:    {ChannelInbox},
		RoleAdmin:    {ChannelInbox},
	}
}

// The built-in types. Their links are placeholders for a shop's own pages: override them
// with NOTIFY_CONFIG.
var builtinTypes = []EventType{
	{Name: "ORDER_CREATED", Message: "주문이 완료되었습니다.", URL: "https://mypage/orders/{{.orderId}}",
		Labels: map[string]string{"ko": "주문 완료", "en": "Order placed"}},
	{Name: "DELIVERY_STARTED", Message: "배송이 시작되었습니다.", URL: "https://mypage/orders/{{.orderId}}",
		Labels: map[string]string{"ko": "배송 시작", "en": "Shipped"}},
	{Name: "DELIVERY_COMPLETED", Message: "배송이 완료되었습니다.", URL: "https://mypage/orders/{{.orderId}}",
		Labels: map[string]string{"ko": "배송 완료", "en": "Delivered"}},
	{Name: "QUESTION_REGISTERED", Message: "새 문의가 등록되었습니다.", URL: "https://store/{{.storeId}}/questions/{{.questionId}}",
		Labels: map[string]string{"ko": "새 문의", "en": "New question"}},
	{Name: "ANSWER_REGISTERED", Message: "문의에 답변이 등록되었습니다.", URL: "https://mypage/questions/{{.questionId}}",
		Labels: map[string]string{"ko": "문의 답변", "en": "Answer to your question"}},
	{Name: "RESTOCK", Message: `{{with index . "productName"}}{{.}} 상품이{{else}}관심 상품이{{end}} 재입고되었습니다.`, URL: "https://shop/products/{{.productId}}",
		Labels: map[string]string{"ko": "재입고", "en": "Back in stock"}},
}

// DefaultRegistry returns the built-in event types with the default channels.
func DefaultRegistry() *Registry {
	r := &Registry{types: map[string]*EventType{}}
	for _, t := range builtinTypes {
		t.Channels = DefaultChannels()
		if err := r.add(t); err != nil {
			panic(err) // the built-in templates are constants
		}
	}
	return r
}

func (r *Registry) add(t EventType) error {
	if t.Name == "" {
		return fmt.Errorf("config: an event type has an empty name")
	}
	var err error
	if t.message, err = parseTemplate(t.Name+".message", t.Message); err != nil {
		return err
	}
	if t.url, err = parseTemplate(t.Name+".url", t.URL); err != nil {
		return err
	}
	if err := t.checkKakao(); err != nil {
		return err
	}
	if t.Digest != nil {
		d := *t.Digest
		if err := d.compile(t.Name); err != nil {
			return err
		}
		t.Digest = &d
	}
	if t.Throttle != nil {
		th := *t.Throttle
		if err := th.compile(t.Name); err != nil {
			return err
		}
		t.Throttle = &th
	}
	r.types[t.Name] = &t
	return nil
}

func parseTemplate(name, text string) (*template.Template, error) {
	if text == "" {
		return nil, nil
	}
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("config: template %s: %w", name, err)
	}
	return t, nil
}

// Lookup finds an event type by its exact name.
func (r *Registry) Lookup(name string) (*EventType, bool) {
	t, ok := r.types[name]
	return t, ok
}

// Names lists the registered types, sorted.
func (r *Registry) Names() []string { return slices.Sorted(maps.Keys(r.types)) }

// ChannelsFor returns the channels a recipient of role gets for this type.
func (t *EventType) ChannelsFor(role Role) []Channel { return t.Channels[role] }

// Target is one recipient of a prepared event with the channels it is routed to.
type Target struct {
	Recipient
	Channels []Channel
}

// Prepared is a validated event, its text rendered, routed per recipient.
type Prepared struct {
	Event   Event
	Targets []Target
	// Digest is set when the event's type digests: the event joins its recipients'
	// windows instead of becoming notifications of its own.
	Digest *DigestOf
	// Throttle is set when the event's type throttles: the store counts each recipient's
	// notifications of the type and key and drops those over the limit.
	Throttle *ThrottleOf
	// Topic is set when the event goes to a topic's subscribers: each subscriber becomes a
	// target like it (its role and channels), page by page, after the event is accepted.
	Topic *Target
	Type  *EventType // the registered type (its rules: required, quiet hours, escalation)
}

// Prepare validates ev, renders its message and url from its type's templates where the
// producer omitted them, and routes each recipient to its role's channels. A recipient
// listed twice is kept once (the first entry wins).
func (r *Registry) Prepare(ev Event, l Limits) (*Prepared, error) {
	if err := ev.Validate(l); err != nil {
		return nil, err
	}
	t, ok := r.types[ev.Type]
	if !ok {
		return nil, &Error{Code: CodeUnknownType, Field: "publishInformation.notificationType",
			Message: fmt.Sprintf("%q is not a registered event type (known: %s)", ev.Type, strings.Join(r.Names(), ", "))}
	}
	var data map[string]any
	if len(ev.Data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(ev.Data))
		dec.UseNumber() // render 1001, not 1001.0 or 1e+03
		if err := dec.Decode(&data); err != nil {
			return nil, FieldErrorf(CodeInvalidEvent, "publishInformation.data", "must be a JSON object")
		}
	}
	var err error
	if ev.Message == "" {
		if ev.Message, err = render(t.message, data, "message"); err != nil {
			return nil, err
		}
	}
	if ev.URL == "" && t.url != nil {
		if ev.URL, err = render(t.url, data, "url"); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(ev.Message) == "" {
		return nil, FieldErrorf(CodeInvalidEvent, "publishInformation.message", "is required: type %s has no message template", ev.Type)
	}
	if err := ev.validateText(l); err != nil {
		return nil, err
	}
	p := &Prepared{Event: ev, Targets: make([]Target, 0, len(ev.Recipients)), Type: t}
	if t.Digest != nil {
		if p.Digest, err = t.Digest.of(data); err != nil {
			return nil, err
		}
	}
	if t.Throttle != nil {
		if p.Throttle, err = t.Throttle.of(data); err != nil {
			return nil, err
		}
	}
	if ev.Topic != "" {
		p.Topic = &Target{Recipient: Recipient{Role: ev.TopicRole}, Channels: t.ChannelsFor(ev.TopicRole)}
	}
	seen := make(map[string]bool, len(ev.Recipients))
	for _, rc := range ev.Recipients {
		if seen[rc.UserID] {
			continue
		}
		seen[rc.UserID] = true
		p.Targets = append(p.Targets, Target{Recipient: rc, Channels: t.ChannelsFor(rc.Role)})
	}
	return p, nil
}

func render(t *template.Template, data map[string]any, what string) (string, error) {
	if t == nil {
		return "", nil
	}
	if data == nil {
		data = map[string]any{}
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", &Error{Code: CodeInvalidEvent, Field: "publishInformation.data",
			Message: fmt.Sprintf("the %s template needs data the event does not carry", what), Err: err}
	}
	return strings.TrimSpace(b.String()), nil
}
