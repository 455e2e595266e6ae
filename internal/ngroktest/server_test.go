package ngroktest

import (
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestEdgeWithoutEndpoint(t *testing.T) {
	s, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(s.EdgeURL() + "/hook")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Ngrok-Error-Code") != "ERR_NGROK_3200" {
		t.Errorf("GET with no endpoint = %s %q, want 404 ERR_NGROK_3200", resp.Status, body)
	}
}

func TestCertificate(t *testing.T) {
	s, err := Start(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The agent verifies the name it dialed, an IP address.
	conn, err := tls.Dial("tcp", s.ConnectAddr(), &tls.Config{RootCAs: s.CAs(), ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("TLS dial with CAs(): %v", err)
	}
	conn.Close()
	if !strings.Contains(string(s.CAPEM()), "BEGIN CERTIFICATE") {
		t.Errorf("CAPEM() is not PEM")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
