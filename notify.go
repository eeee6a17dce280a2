// Package notify holds notifyd's domain: the event producer services publish, the
// notifications it stores per recipient, their deliveries per channel, the event-type
// registry that renders and routes them, and the errors every layer speaks.
//
// It depends on nothing but the standard library and a YAML decoder, so every other
// package (store, sources, fan-out, HTTP) can share these types without reaching into
// one another.
package notify

import "strings"

// Role is who a recipient is to the shop.
type Role string

// The roles a recipient can have. Producers may send them in any case.
const (
	RoleCustomer Role = "CUSTOMER" // a buyer
	RoleOwner    Role = "OWNER"    // a store owner
	RoleAdmin    Role = "ADMIN"    // a system administrator
)

// Roles lists every known role, in a stable order.
var Roles = []Role{RoleCustomer, RoleOwner, RoleAdmin}

// ParseRole maps a role name, in any case, to a Role.
func ParseRole(s string) (Role, bool) {
	r := Role(strings.ToUpper(strings.TrimSpace(s)))
	switch r {
	case RoleCustomer, RoleOwner, RoleAdmin:
		return r, true
	}
	return "", false
}

// Channel is a way a notification reaches a person.
type Channel string

// The channels notifyd delivers on. Inbox is the stored notification itself: the list, the
// unread count and the live SSE push (and replay from the store); every recipient gets it.
// Every other channel is a queued delivery worked by the delivery engine (internal/delivery)
// through that channel's sender (internal/channel/<kind>).
const (
	ChannelInbox   Channel = "inbox"
	ChannelSMS     Channel = "sms"
	ChannelEmail   Channel = "email"
	ChannelWebPush Channel = "webpush"
	// ChannelMobile is mobile push: FCM and APNs, to every device the user registered.
	ChannelMobile Channel = "mobile"
	// ChannelKakao is a KakaoTalk AlimTalk (internal/channel/kakao), falling back to SMS.
	ChannelKakao Channel = "kakao"
)

// Channels lists every channel, in a stable order.
var Channels = []Channel{ChannelInbox, ChannelSMS, ChannelEmail, ChannelWebPush, ChannelMobile, ChannelKakao}

// ParseChannel maps a channel name, in any case, to a Channel. "sse", the inbox's name in
// round one, is still accepted as ChannelInbox.
func ParseChannel(s string) (Channel, bool) {
	c := Channel(strings.ToLower(strings.TrimSpace(s)))
	switch c {
	case "sse":
		return ChannelInbox, true
	case ChannelInbox, ChannelSMS, ChannelEmail, ChannelWebPush, ChannelMobile, ChannelKakao:
		return c, true
	}
	return "", false
}
