package web_test

import (
	"net/http"
	"strconv"
	"testing"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// publishDemo adds a few more notifications for the docs screenshot.
func publishDemo(t *testing.T, base, user string) {
	t.Helper()
	for _, ev := range []map[string]any{
		typedEvent("ORDER_CREATED", user, "order-1002-created", "주문이 완료되었습니다. 김치찌개 외 2건 (32,000원)", "https://mypage/orders/1002"),
		typedEvent("QUESTION_REGISTERED", user, "question-555", "새 문의가 등록되었습니다: 배달 시간을 저녁 7시로 바꿀 수 있을까요?", "https://store/31/questions/555"),
		typedEvent("RESTOCK", user, "restock-88", "관심 상품 ‘제주 감귤 3kg’이 재입고되었습니다.", "https://shop/products/88"),
	} {
		if got := call(t, http.MethodPost, base+"/v1/events", "", ev, nil); got != http.StatusAccepted {
			t.Fatalf("POST /v1/events: got %d", got)
		}
	}
}
