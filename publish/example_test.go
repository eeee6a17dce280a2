package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/notifyd/notifyd/publish"
)

// Build the event a buyer gets when their order ships.
func ExampleForOne() {
	ev := publish.ForOne(publish.Customer("7", "+821012345678"), publish.Info{
		NotificationType: "DELIVERY_STARTED",
		Message:          "배송이 시작되었습니다.",
		URL:              "https://mypage/orders/1001",
		EventID:          "order-1001-delivery-started",
		Data:             map[string]any{"orderId": 1001},
	})
	b, _ := json.Marshal(ev)
	fmt.Println(string(b))
	// Output:
	// {"whoToNotify":{"userId":"7","role":"CUSTOMER","phoneNumber":"+821012345678"},"publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다.","url":"https://mypage/orders/1001","eventId":"order-1001-delivery-started","data":{"orderId":1001}}}
}

// One event for a store owner and an administrator; notifyd renders the message and url
// from the type's templates and data.
func ExampleForMany() {
	ev := publish.ForMany([]publish.Recipient{publish.Owner("31"), publish.Admin("1")}, publish.Info{
		NotificationType: "QUESTION_REGISTERED",
		EventID:          "question-55-registered",
		Data:             map[string]any{"storeId": 31, "questionId": 55},
	})
	b, _ := json.MarshalIndent(ev, "", "  ")
	fmt.Println(string(b))
	// Output:
	// {
	//   "whoToNotify": [
	//     {
	//       "userId": "31",
	//       "role": "OWNER"
	//     },
	//     {
	//       "userId": "1",
	//       "role": "ADMIN"
	//     }
	//   ],
	//   "publishInformation": {
	//     "notificationType": "QUESTION_REGISTERED",
	//     "eventId": "question-55-registered",
	//     "data": {
	//       "questionId": 55,
	//       "storeId": 31
	//     }
	//   }
	// }
}

// Send to notifyd's HTTP API. Here a test server stands in for notifyd.
func ExampleHTTP_Send() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, "Idempotency-Key:", r.Header.Get("Idempotency-Key"))
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	sender := publish.NewHTTP(srv.URL, publish.WithToken("secret"))
	ids, err := sender.Send(context.Background(), publish.ForOne(publish.Customer("7", ""), publish.Info{
		NotificationType: "ORDER_CREATED",
		EventID:          "order-1002-created",
		Data:             map[string]any{"orderId": 1002},
	}))
	fmt.Println(ids, err)
	// Output:
	// POST /v1/events Idempotency-Key: order-1002-created
	// [order-1002-created] <nil>
}

// Send to an SQS queue with the caller's own *sqs.Client (here any SQSAPI). Events
// without an eventId get a generated one, returned in order.
func ExampleSQS_Send() {
	var client publish.SQSAPI = &recordingSQS{} // sqs.NewFromConfig(cfg) in a real service
	sender := publish.NewSQS(client, "https://sqs.ap-northeast-2.amazonaws.com/123456789012/notifications.fifo")

	ctx := publish.ContextWithTraceParent(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	ids, err := sender.Send(ctx, publish.ForOne(publish.Customer("7", ""), publish.Info{NotificationType: "ORDER_CREATED", Data: map[string]any{"orderId": 1003}}))
	fmt.Println(len(ids), len(ids[0]) == 36, err)
	// Output:
	// 1 true <nil>
}
