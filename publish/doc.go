// Package publish is the client producer services use to send notifyd events: it builds
// the NotificationData JSON (the same wire format Spring producers publish) and sends it
// to an SQS queue, an SNS topic, or notifyd's HTTP API.
//
// It depends on no notifyd server package, only on the AWS SDK clients the caller
// already has:
//
//	ev := publish.ForOne(publish.Customer("7", "+821012345678"), publish.Info{
//		NotificationType: "DELIVERY_STARTED",
//		Data:             map[string]any{"orderId": 1001},
//	})
//	ids, err := publish.NewSQS(sqs.NewFromConfig(cfg), queueURL).Send(ctx, ev)
//
// Every event carries an eventId, notifyd's idempotency key: Send generates one when the
// caller set none and returns the ids it used, so a retry of the same event (with the
// returned id set) is stored once.
package publish
