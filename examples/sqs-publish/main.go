// Command sqs-publish sends one sample event to an SQS queue with the publish package, as
// a producer service would. See docs/sqs.md.
//
//	AWS_ENDPOINT_URL=http://localhost:4100 AWS_REGION=us-east-1 \
//	AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
//	go run ./examples/sqs-publish -queue http://localhost:4100/000000000000/notifications -protocol query
package main

import (
	"context"
	"flag"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/notifyd/notifyd/publish"
)

func main() {
	queueURL := flag.String("queue", "", "queue URL")
	protocol := flag.String("protocol", "json", "json (AWS) or query (goaws)")
	user := flag.String("user", "7", "recipient user id (a CUSTOMER)")
	flag.Parse()
	if *queueURL == "" {
		log.Fatal("-queue is required")
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		if *protocol == "query" {
			o.Protocol = awsquery.New(schemas.AmazonSQS)
		}
	})
	ids, err := publish.NewSQS(client, *queueURL).Send(ctx, publish.ForOne(publish.Customer(*user, ""), publish.Info{
		NotificationType: "DELIVERY_STARTED",
		Data:             map[string]any{"orderId": 1001},
	}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent event", ids[0])
}
