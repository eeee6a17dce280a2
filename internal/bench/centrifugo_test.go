package bench

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestCentrifugoConfigKeys(t *testing.T) {
	b, err := CentrifugoConfig(8123, "sec", "key")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		HTTP struct {
			Address string `json:"address"`
			Port    int    `json:"port"`
		} `json:"http_server"`
		Engine struct{ Type string }  `json:"engine"`
		UniSSE struct{ Enabled bool } `json:"uni_sse"`
		API    struct{ Key string }   `json:"http_api"`
		Client struct {
			Token struct {
				HMAC string `json:"hmac_secret_key"`
			} `json:"token"`
			Personal struct{ Enabled bool } `json:"subscribe_to_user_personal_channel"`
		} `json:"client"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Address != "127.0.0.1" || c.HTTP.Port != 8123 || c.Engine.Type != "memory" || !c.UniSSE.Enabled ||
		c.API.Key != "key" || c.Client.Token.HMAC != "sec" || !c.Client.Personal.Enabled {
		t.Fatalf("config %s", b)
	}
}

func TestCentrifugoPeerRequests(t *testing.T) {
	p, err := CentrifugoPeer("http://127.0.0.1:8123", "sec", "key")
	if err != nil {
		t.Fatal(err)
	}
	host, target, err := StreamRequest(p.Subscribe, Values{User: "u3", Token: p.Token("u3")})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.ParseRequestURI(target)
	var connect struct{ Token string }
	if err := json.Unmarshal([]byte(u.Query().Get("cf_connect")), &connect); err != nil || host != "127.0.0.1:8123" || u.Path != "/connection/uni_sse" {
		t.Fatalf("host %s target %s: %v", host, target, err)
	}
	if strings.Count(connect.Token, ".") != 2 {
		t.Fatalf("token %q", connect.Token)
	}
	body := p.Body.Append(nil, Values{User: "u3", Event: []byte(`{"e":1}`)})
	var pub struct {
		Channel string          `json:"channel"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &pub); err != nil || pub.Channel != "#u3" || string(pub.Data) != `{"e":1}` {
		t.Fatalf("body %s: %v", body, err)
	}
	if got := string(p.Publish.Append(nil, Values{})); got != "http://127.0.0.1:8123/api/publish" || p.Header.Get("X-API-Key") != "key" {
		t.Fatalf("publish %s headers %v", got, p.Header)
	}
}
