package chart_test

import (
	"fmt"
	"strings"
	"testing"
)

// The preStop pause is the kubelet's sleep action (the image has no shell): on a cluster
// older than 1.30 the chart refuses it with a message naming the fix, and renders without
// a hook once preStopSeconds is 0.
func TestPreStopNeedsKubernetes130(t *testing.T) {
	chartDir, _ := paths(t)
	if _, err := renderAt(t, chartDir, map[string]any{}, "v1.29.4"); err == nil || !strings.Contains(err.Error(), "preStopSeconds: 0") {
		t.Fatalf("render for 1.29 with the default pause: %v; want a refusal naming preStopSeconds: 0", err)
	}
	out, err := renderAt(t, chartDir, map[string]any{"preStopSeconds": 0}, "v1.29.4")
	if err != nil {
		t.Fatalf("render for 1.29 with preStopSeconds 0: %v", err)
	}
	dep := objects(t, out)["Deployment/notifyd"]
	if dep == nil {
		t.Fatal("no Deployment/notifyd rendered")
	}
	c := dep["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	if _, ok := c["lifecycle"]; ok {
		t.Errorf("preStopSeconds 0 still renders a lifecycle: %v", c["lifecycle"])
	}
	out, err = render(t, chartDir, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	c = objects(t, out)["Deployment/notifyd"]["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	if !strings.Contains(fmt.Sprint(c["lifecycle"]), "sleep:map[seconds:5]") {
		t.Errorf("the default render's lifecycle = %v, want preStop sleep 5s", c["lifecycle"])
	}
}
