package auth

import "testing"

func TestCheckDevListen(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.2:8080", true},
		{"[::1]:8080", true},
		{"[::ffff:127.0.0.1]:8080", true},
		{"localhost:8080", true},
		{"LOCALHOST.:8080", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"192.168.1.10:8080", false},
		{"[fe80::1%eth0]:8080", false},
		{"example.com:8080", false},
		{"localhost.example.com:8080", false},
		{"127.0.0.1", false}, // no port: not a listen address
	}
	for _, tt := range tests {
		err := CheckDevListen(tt.addr, false)
		if (err == nil) != tt.ok {
			t.Errorf("CheckDevListen(%q, false) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
		if err := CheckDevListen(tt.addr, true); err != nil {
			t.Errorf("CheckDevListen(%q, true) = %v, want nil", tt.addr, err)
		}
	}
}
