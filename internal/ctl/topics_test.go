package ctl_test

import (
	"testing"

	"github.com/notifyd/notifyd/internal/app"
)

func TestTopicCommands(t *testing.T) {
	_, server := startApp(t, app.Config{TopicsPerUser: 2})
	c := newCtl(t, server)

	r := c.ok("topic", "subscribe", "restock:product-123", "7", "--once")
	contains(t, "topic subscribe", r.stdout, "subscribed 7 to restock:product-123 (once)")
	r = c.ok("topic", "subscribe", "restock:product-123", "7", "--once")
	contains(t, "subscribing twice", r.stdout, "already subscribed 7 to restock:product-123")
	c.ok("topic", "subscribe", "restock:product-123", "8")
	r = c.ok("topic", "subscribers", "restock:product-123", "--limit", "1", "--all")
	contains(t, "topic subscribers --all", r.stdout, "7 ", "8 ", "2 shown of 2 subscribers")
	r = c.ok("topic", "list", "7")
	contains(t, "topic list", r.stdout, "restock:product-123", "(once)")
	c.ok("topic", "subscribe", "t2", "7")
	r = c.fails(1, "topic", "subscribe", "t3", "7")
	contains(t, "past the cap", r.stderr, "409 too_many_topics")
	r = c.fails(1, "topic", "subscribe", "bad topic", "7")
	contains(t, "a bad topic name", r.stderr, "400 invalid_event")
	r = c.ok("topic", "unsubscribe", "restock:product-123", "7")
	contains(t, "topic unsubscribe", r.stdout, "unsubscribed 7 from restock:product-123")
	r = c.fails(1, "topic", "unsubscribe", "restock:product-123", "7")
	contains(t, "unsubscribe again", r.stderr, "404 not_found")
	c.fails(2, "topic", "frobnicate")
	c.fails(2, "topic", "subscribe", "only-a-topic")
}
