// Package fault is a test-only hook that lets the fault suite (internal/e2e) kill notifyd
// with SIGKILL at a named point of its pipeline, so crashes are real and land exactly
// where they hurt most: between receive and commit, between commit and ack, around an
// SMS send.
//
// Production code calls Hit at each point:
//
//	fault.Hit("sqs.after-commit")
//
// The switch exists only in builds with the tag faultinject (go build -tags faultinject;
// the fault suite builds notifyd that way). In every other build, the release binary
// included, Hit is an empty function the compiler inlines away, and no environment
// variable is read: the shipped binary has nothing that kills it.
//
// In a faultinject build nothing happens unless the environment variable NOTIFY_FAULT
// names the point when the process starts: NOTIFY_FAULT=sqs.after-commit kills the
// process at the first hit, NOTIFY_FAULT=sqs.after-commit@3 at the third. The variable is
// read once, at init; when it is unset Hit is one atomic load and a return.
//
// The points in use:
//
//	sqs.after-receive     ReceiveMessage returned messages, before they are accepted
//	sqs.after-commit      the batch is committed to the store, before DeleteMessageBatch
//	delivery.before-send  a delivery is claimed and about to be handed to the provider
//	delivery.after-send   the provider accepted a message, before the outcome is recorded
//	schedule.release      inside a release transaction, before its commit
//	schedule.digest-close inside a transaction closing digest windows, before its commit
//	schedule.after-release a release committed, before it is published
//	schedule.cancel       inside a cancel transaction, before its commit
package fault
