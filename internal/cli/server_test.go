package cli

import (
	"strings"
	"testing"

	"github.com/notifier-dev/notifier/internal/tunnel"
)

func TestNgrokAdvice(t *testing.T) {
	tests := []struct{ code, want string }{
		{"ERR_NGROK_105", "dashboard.ngrok.com/get-started/your-authtoken"},
		{"ERR_NGROK_107", "dashboard.ngrok.com/get-started/your-authtoken"},
		{"ERR_NGROK_108", "--simulate"},
		{"ERR_NGROK_4018", "sign up"},
		{"ERR_NGROK_334", "NGROK_DOMAIN"},
		{"ERR_NGROK_9999", "https://ngrok.com/docs/errors/err_ngrok_9999"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ngrokAdvice(tt.code); !strings.Contains(got, tt.want) || (tt.want == "") != (got == "") {
			t.Errorf("ngrokAdvice(%q) = %q, want it to contain %q", tt.code, got, tt.want)
		}
	}
}

// TestTunnelConfigIgnoresTestVariables: the variables the end-to-end tests
// once used to point the agent at a fake ngrok service have no effect on
// notifier; only TestHooks, which no released binary sets, do.
func TestTunnelConfigIgnoresTestVariables(t *testing.T) {
	env := map[string]string{
		envNgrokToken:                     "tok",
		"NOTIFIER_TEST_NGROK_CONNECT_URL": "evil.example.com:443",
		"NOTIFIER_TEST_NGROK_CA_FILE":     "/etc/hostname",
	}
	flags := tunnelFlags{Mode: "ngrok", Listen: "127.0.0.1:0", Timeout: tunnel.DefaultConnectTimeout}
	cfg, err := flags.config(tunnel.ModeNgrok, func(k string) string { return env[k] }, TestHooks{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ConnectURL != "" || cfg.ConnectCAs != nil {
		t.Errorf("the environment redirected the agent: ConnectURL %q, CAs %v", cfg.ConnectURL, cfg.ConnectCAs != nil)
	}
	cfg, err = flags.config(tunnel.ModeNgrok, func(k string) string { return env[k] }, TestHooks{NgrokConnectURL: "127.0.0.1:1"})
	if err != nil || cfg.ConnectURL != "127.0.0.1:1" {
		t.Errorf("test hooks not applied: %q, %v", cfg.ConnectURL, err)
	}
}
