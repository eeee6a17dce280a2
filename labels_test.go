package notify_test

import (
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
)

// A type's labels name it to people by language: the built-ins have Korean and English,
// NOTIFY_CONFIG sets them for its own types and may rename a built-in in one language
// (keeping the others), and what is not a
// language or not a short single line is refused at start.
func TestTypeLabels(t *testing.T) {
	ds, _ := notify.DefaultRegistry().Lookup("DELIVERY_STARTED")
	if ds.Labels["ko"] != "배송 시작" || ds.Labels["en"] != "Shipped" {
		t.Fatalf("built-in labels %v", ds.Labels)
	}
	for _, name := range notify.DefaultRegistry().Names() {
		if typ, _ := notify.DefaultRegistry().Lookup(name); typ.Labels["ko"] == "" || typ.Labels["en"] == "" {
			t.Errorf("built-in %s lacks a Korean or English label: %v", name, typ.Labels)
		}
	}
	reg, err := notify.LoadRegistry(strings.NewReader(`
types:
  PRICE_DROP:
    message: "가격이 내려갔습니다."
    labels: {ko: 가격 인하, en: Price drop, en-GB: Price reduction}
  DELIVERY_STARTED:
    labels: {ko: 출고}
`))
	if err != nil {
		t.Fatal(err)
	}
	pd, _ := reg.Lookup("PRICE_DROP")
	if pd.Labels["ko"] != "가격 인하" || pd.Labels["en-GB"] != "Price reduction" {
		t.Fatalf("PRICE_DROP labels %v", pd.Labels)
	}
	if ds, _ := reg.Lookup("DELIVERY_STARTED"); ds.Labels["ko"] != "출고" || ds.Labels["en"] != "Shipped" || ds.Message != "배송이 시작되었습니다." {
		t.Fatalf("DELIVERY_STARTED after a rename: %v %q", ds.Labels, ds.Message)
	}
	for name, bad := range map[string]string{
		"not a language":  "types:\n  X:\n    labels: {Korean: 한국어}\n",
		"empty":           "types:\n  X:\n    labels: {ko: \" \"}\n",
		"two lines":       "types:\n  X:\n    labels: {en: \"a\\nb\"}\n",
		"65 characters":   "types:\n  X:\n    labels: {en: " + strings.Repeat("x", 65) + "}\n",
		"a list, not map": "types:\n  X:\n    labels: [ko]\n",
	} {
		if _, err := notify.LoadRegistry(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: config %q loaded without an error", name, bad)
		}
	}
}
