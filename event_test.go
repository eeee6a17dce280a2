package notify_test

import (
	"encoding/json"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
)

func TestDecodeEvents(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantUsers []string
		wantRoles []notify.Role
		wantCode  notify.Code
		wantField string
	}{
		{name: "one recipient, numeric id",
			body:      `{"whoToNotify":{"userId":7,"role":"CUSTOMER","phoneNumber":"+821012345678"},"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"m","url":"https://x/y"}}`,
			wantUsers: []string{"7"}, wantRoles: []notify.Role{notify.RoleCustomer}},
		{name: "string id, lower-case role",
			body:      `{"whoToNotify":{"userId":"abc","role":"owner"},"publishInformation":{"notificationType":"T"}}`,
			wantUsers: []string{"abc"}, wantRoles: []notify.Role{notify.RoleOwner}},
		{name: "array of recipients, mixed case",
			body:      `{"whoToNotify":[{"userId":31,"role":"Owner"},{"userId":"1","role":"admin"}],"publishInformation":{"notificationType":"T"}}`,
			wantUsers: []string{"31", "1"}, wantRoles: []notify.Role{notify.RoleOwner, notify.RoleAdmin}},
		{name: "array of events",
			body:      `[{"whoToNotify":{"userId":1,"role":"ADMIN"},"publishInformation":{"notificationType":"T"}},{"whoToNotify":{"userId":2,"role":"ADMIN"},"publishInformation":{"notificationType":"T"}}]`,
			wantUsers: []string{"1", "2"}},
		{name: "empty body", body: ``, wantCode: notify.CodeInvalidJSON},
		{name: "not JSON", body: `{"whoToNotify":`, wantCode: notify.CodeInvalidJSON},
		{name: "trailing data", body: `{"whoToNotify":{"userId":1,"role":"ADMIN"},"publishInformation":{"notificationType":"T"}} {}`, wantCode: notify.CodeInvalidJSON},
		{name: "no whoToNotify", body: `{"publishInformation":{"notificationType":"T"}}`, wantCode: notify.CodeNoRecipient, wantField: "whoToNotify"},
		{name: "empty recipient array", body: `{"whoToNotify":[],"publishInformation":{"notificationType":"T"}}`, wantCode: notify.CodeNoRecipient},
		{name: "no publishInformation", body: `{"whoToNotify":{"userId":1,"role":"ADMIN"}}`, wantCode: notify.CodeInvalidEvent, wantField: "publishInformation"},
		{name: "unknown role", body: `{"whoToNotify":{"userId":1,"role":"GUEST"},"publishInformation":{"notificationType":"T"}}`, wantCode: notify.CodeInvalidEvent, wantField: "whoToNotify[0].role"},
		{name: "missing user id", body: `{"whoToNotify":{"role":"ADMIN"},"publishInformation":{"notificationType":"T"}}`, wantCode: notify.CodeInvalidEvent, wantField: "whoToNotify[0].userId"},
		{name: "fractional user id", body: `{"whoToNotify":{"userId":1.5,"role":"ADMIN"},"publishInformation":{"notificationType":"T"}}`, wantCode: notify.CodeInvalidEvent, wantField: "whoToNotify[0].userId"},
		{name: "boolean user id", body: `{"whoToNotify":{"userId":true,"role":"ADMIN"},"publishInformation":{"notificationType":"T"}}`, wantCode: notify.CodeInvalidEvent},
		{name: "message not a string", body: `{"whoToNotify":{"userId":1,"role":"ADMIN"},"publishInformation":{"notificationType":"T","message":5}}`, wantCode: notify.CodeInvalidEvent, wantField: "publishInformation.message"},
		{name: "data not an object", body: `{"whoToNotify":{"userId":1,"role":"ADMIN"},"publishInformation":{"notificationType":"T","data":[1]}}`, wantCode: notify.CodeInvalidEvent, wantField: "publishInformation.data"},
		{name: "bad event in an array names its index", body: `[{"whoToNotify":{"userId":1,"role":"ADMIN"},"publishInformation":{"notificationType":"T"}},{"whoToNotify":{"userId":1,"role":"X"},"publishInformation":{"notificationType":"T"}}]`,
			wantCode: notify.CodeInvalidEvent, wantField: "[1].whoToNotify[0].role"},
		{name: "empty array", body: `[]`, wantCode: notify.CodeInvalidEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := notify.DecodeEvents([]byte(tc.body))
			if tc.wantCode != "" {
				if got := notify.ErrorCode(err); got != tc.wantCode {
					t.Fatalf("error %v (code %s), want code %s", err, got, tc.wantCode)
				}
				var e *notify.Error
				if tc.wantField != "" && (!asError(err, &e) || e.Field != tc.wantField) {
					t.Fatalf("error field %q, want %q (%v)", fieldOf(err), tc.wantField, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var users []string
			var roles []notify.Role
			for _, ev := range evs {
				for _, r := range ev.Recipients {
					users = append(users, r.UserID)
					roles = append(roles, r.Role)
				}
			}
			if strings.Join(users, ",") != strings.Join(tc.wantUsers, ",") {
				t.Fatalf("users %v, want %v", users, tc.wantUsers)
			}
			for i, r := range tc.wantRoles {
				if roles[i] != r {
					t.Fatalf("roles %v, want %v", roles, tc.wantRoles)
				}
			}
		})
	}
}

func asError(err error, e **notify.Error) bool {
	x, ok := err.(*notify.Error)
	*e = x
	return ok
}

func fieldOf(err error) string {
	if e, ok := err.(*notify.Error); ok {
		return e.Field
	}
	return ""
}

func TestValidate(t *testing.T) {
	base := func() notify.Event {
		return notify.Event{Type: "T", Message: "m", URL: "https://shop/x", Recipients: []notify.Recipient{{UserID: "1", Role: notify.RoleCustomer, Phone: "+821012345678"}}}
	}
	l := notify.DefaultLimits
	tests := []struct {
		name   string
		mutate func(*notify.Event)
		code   notify.Code
	}{
		{"valid", func(*notify.Event) {}, ""},
		{"no type", func(e *notify.Event) { e.Type = "" }, notify.CodeInvalidEvent},
		{"too many recipients", func(e *notify.Event) {
			for i := range l.MaxRecipients {
				e.Recipients = append(e.Recipients, notify.Recipient{UserID: string(rune('a' + i%26)), Role: notify.RoleAdmin})
			}
		}, notify.CodeTooManyRecipients},
		{"message too long", func(e *notify.Event) { e.Message = strings.Repeat("가", l.MaxMessage+1) }, notify.CodeTooLarge},
		{"message at the limit", func(e *notify.Event) { e.Message = strings.Repeat("가", l.MaxMessage) }, ""},
		{"url too long", func(e *notify.Event) { e.URL = "https://x/" + strings.Repeat("a", l.MaxURL) }, notify.CodeTooLarge},
		{"javascript url", func(e *notify.Event) { e.URL = "javascript:alert(1)" }, notify.CodeInvalidEvent},
		{"relative url", func(e *notify.Event) { e.URL = "/orders/1" }, notify.CodeInvalidEvent},
		{"url with newline", func(e *notify.Event) { e.URL = "https://x/\nabc" }, notify.CodeInvalidEvent},
		{"bad phone", func(e *notify.Event) { e.Recipients[0].Phone = "010-1234-5678" }, notify.CodeInvalidEvent},
		{"no phone is fine", func(e *notify.Event) { e.Recipients[0].Phone = "" }, ""},
		{"user id with control char", func(e *notify.Event) { e.Recipients[0].UserID = "a\x00b" }, notify.CodeInvalidEvent},
		{"user id too long", func(e *notify.Event) { e.Recipients[0].UserID = strings.Repeat("x", 129) }, notify.CodeInvalidEvent},
		{"event id too long", func(e *notify.Event) { e.EventID = strings.Repeat("x", 201) }, notify.CodeTooLarge},
		{"invalid utf-8", func(e *notify.Event) { e.Message = "\xff\xfe" }, notify.CodeInvalidEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := base()
			tc.mutate(&ev)
			err := ev.Validate(l)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if got := notify.ErrorCode(err); got != tc.code {
				t.Fatalf("error %v (code %s), want %s", err, got, tc.code)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	body := `{"whoToNotify":{"userId":7,"role":"customer","phoneNumber":"+821012345678"},"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다.","url":"https://mypage","eventId":"e1","data":{"orderId":1001}}}`
	evs, err := notify.DecodeEvents([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(evs[0])
	if err != nil {
		t.Fatal(err)
	}
	again, err := notify.DecodeEvents(out)
	if err != nil {
		t.Fatal(err)
	}
	a, b := evs[0], again[0]
	if a.Type != b.Type || a.Message != b.Message || a.URL != b.URL || a.EventID != b.EventID || string(a.Data) != string(b.Data) ||
		a.Recipients[0] != b.Recipients[0] || b.Recipients[0].Role != notify.RoleCustomer {
		t.Fatalf("round trip changed the event:\n%+v\n%+v", a, b)
	}
}

func TestRecipientEmail(t *testing.T) {
	evs, err := notify.DecodeEvents([]byte(`{"whoToNotify":{"userId":7,"role":"CUSTOMER","email":"buyer@example.com"},"publishInformation":{"notificationType":"ORDER_CREATED","message":"m"}}`))
	if err != nil || evs[0].Recipients[0].Email != "buyer@example.com" {
		t.Fatalf("got %+v, %v", evs, err)
	}
	if err := evs[0].Validate(notify.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	b, _ := evs[0].MarshalJSON()
	if !strings.Contains(string(b), `"email":"buyer@example.com"`) {
		t.Fatalf("marshalled %s", b)
	}
	for _, bad := range []string{"buyer", "Buyer <buyer@example.com>", "buyer@"} {
		evs[0].Recipients[0].Email = bad
		err := evs[0].Validate(notify.DefaultLimits)
		if e, ok := err.(*notify.Error); !ok || e.Field != "whoToNotify[0].email" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
