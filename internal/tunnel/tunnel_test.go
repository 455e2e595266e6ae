package tunnel

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestParseMode(t *testing.T) {
	tests := []struct {
		in      string
		want    Mode
		wantErr bool
	}{
		{"ngrok", ModeNgrok, false},
		{"none", ModeNone, false},
		{"", "", true},
		{"NONE", "", true},
		{"localtunnel", "", true},
		{" none", "", true},
	}
	for _, tt := range tests {
		got, err := ParseMode(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseMode(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "ngrok or none") {
			t.Errorf("ParseMode(%q) error %q does not list the modes", tt.in, err)
		}
	}
}

func TestParsePublicURL(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string // substring of the error; "" = no error
	}{
		{"https://example.ngrok.app", "https://example.ngrok.app", ""},
		{"https://example.ngrok.app/", "https://example.ngrok.app", ""},
		{"http://localhost:8080", "http://localhost:8080", ""},
		{"https://example.com/base/path/", "https://example.com/base/path", ""},
		{"https://example.com/base", "https://example.com/base", ""},
		{"", "", "absolute http(s) URL"},
		{"example.com", "", "absolute http(s) URL"},
		{"ftp://example.com", "", "absolute http(s) URL"},
		{"https://", "", "absolute http(s) URL"},
		{"/relative/path", "", "absolute http(s) URL"},
		{"https://exa mple.com", "", "absolute http(s) URL"},
		{"https://example.com/?a=b", "", "query or fragment"},
		{"https://example.com/#frag", "", "query or fragment"},
	}
	for _, tt := range tests {
		got, err := ParsePublicURL(tt.in)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ParsePublicURL(%q): unexpected error %v", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ParsePublicURL(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
		case got != tt.want:
			t.Errorf("ParsePublicURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		wantURL   string // "" = the local address, http://127.0.0.1:PORT
		wantLocal bool
	}{
		{"none, default address", Config{Mode: ModeNone}, "", true},
		{"none, loopback", Config{Mode: ModeNone, ListenAddr: "127.0.0.1:0"}, "", true},
		{"none, unspecified address", Config{Mode: ModeNone, ListenAddr: "0.0.0.0:0"}, "", true},
		{"public URL", Config{Mode: ModeNone, ListenAddr: "127.0.0.1:0", PublicURL: "https://hooks.example.com"}, "https://hooks.example.com", false},
		{"public URL, trailing slash", Config{Mode: ModeNone, PublicURL: "https://hooks.example.com/"}, "https://hooks.example.com", false},
		{"empty mode is local", Config{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tun, err := Open(context.Background(), tt.cfg)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer tun.Close()
			port := tun.Listener.Addr().(*net.TCPAddr).Port
			want := tt.wantURL
			if want == "" {
				want = fmt.Sprintf("http://127.0.0.1:%d", port)
			}
			if tun.URL != want || tun.Local != tt.wantLocal {
				t.Errorf("URL = %q, Local = %v; want %q, %v", tun.URL, tun.Local, want, tt.wantLocal)
			}
			if tt.wantLocal {
				assertServes(t, tun)
			}
		})
	}
}

// assertServes checks that the tunnel's URL reaches its listener.
func assertServes(t *testing.T, tun *Tunnel) {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello")
	})}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(tun.Listener) }()
	defer func() {
		srv.Close()
		<-done
	}()
	resp, err := http.Get(tun.URL + "/hook/x")
	if err != nil {
		t.Fatalf("GET %s: %v", tun.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "hello" {
		t.Errorf("GET %s = %q, want hello", tun.URL, body)
	}
}

func TestOpenBusyAddress(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	tun, err := Open(context.Background(), Config{Mode: ModeNone, ListenAddr: addr})
	if err == nil {
		tun.Close()
		t.Fatalf("Open(%s) succeeded on a busy address", addr)
	}
	if !strings.Contains(err.Error(), "listening on "+addr) {
		t.Errorf("error %q does not name the address %s", err, addr)
	}
	t.Logf("busy address: %v", err)
}
