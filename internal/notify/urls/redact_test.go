package urls

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/notifier-dev/notifier/internal/webhook"
)

// Every channel's URL, with the secrets it holds.
var secretURLs = []struct {
	raw     string
	secrets []string
}{
	{slackURL, []string{"T00000000-B00000000-XXXXXXXXXXXXXXXXXXXXXXXX", "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "XXXXXXXXXXXXXXXXXXXXXXXX"}},
	{"slack://xoxb:123456789012-1234567890123-4pt3jSkT2bJvFmYZ3BVnAJ7a@C001CH4NN3L", []string{"123456789012-1234567890123-4pt3jSkT2bJvFmYZ3BVnAJ7a", "4pt3jSkT2bJvFmYZ3BVnAJ7a"}},
	{"discord://SecretToken123456@123456789012345678", []string{"SecretToken123456", "123456789012345678"}},
	{teamsURL, []string{"V2ExtraSecret", "0123456789abcdef0123456789abcdef", "11111111-2222-3333-4444-555555555555"}},
	{workflowURL, []string{"WorkflowSig_0123456789", "abcdef0123456789"}},
	{"ntfy://ops:p%40ss+word@ntfy.example.com/private-topic-4b1e", []string{"p@ss+word", "private-topic-4b1e", "ops:p@ss+word"}},
	{"pagerduty:///" + pdKey, []string{pdKey}},
	{"generic://hooks.example.com/notify/abc123secretpath?token=QueryToken99&title=hi", []string{"abc123secretpath", "QueryToken99"}},
	{"telegram://110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram?chats=@channel-name", []string{"AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"}},
}

func TestRedactEveryForm(t *testing.T) {
	for _, tc := range secretURLs {
		r := NewRedactor(tc.raw)
		for _, s := range tc.secrets {
			for _, form := range []string{s, url.PathEscape(s), url.QueryEscape(s),
				base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))} {
				text := fmt.Sprintf("posting to %q failed: %s (Authorization: Basic %s)", tc.raw, form, form)
				got := r.Redact(text)
				if strings.Contains(got, form) || strings.Contains(got, s) {
					t.Errorf("%s: %q survives in %q", tc.raw, form, got)
				}
			}
		}
		if name := shown(tc.raw); containsAny(name, tc.secrets) {
			t.Errorf("name %q shows a secret", name)
		}
	}
}

func TestRedactKeepsOrdinaryText(t *testing.T) {
	r := NewRedactor("ntfy://ntfy.sh/topic-secret-77?title=hi&priority=high")
	if got := r.Redact("ntfy answered 403 Forbidden: title hi, priority high"); got != "ntfy answered 403 Forbidden: title hi, priority high" {
		t.Errorf("got %q", got)
	}
}

// Errors of every kind a channel makes, for every URL: none has a secret.
func TestErrorsAreRedacted(t *testing.T) {
	secret, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	for _, tc := range secretURLs {
		// a URL the library refuses, quoting it
		for _, raw := range []string{tc.raw + "%zz", strings.Replace(tc.raw, "://", "://:", 1), tc.raw + "&color=notacolor&port=x"} {
			if _, err := New(raw, Options{Secret: secret}); err != nil && containsAny(err.Error(), tc.secrets) {
				t.Errorf("%s: New error shows a secret: %v", raw, err)
			}
		}
		c, err := New(tc.raw, Options{Secret: secret})
		if err != nil {
			continue // checked above for secrets
		}
		e := newError(c.Name(), c.red, fmt.Errorf("locating service for URL %q: %s", tc.raw, tc.secrets[0]), nil)
		if containsAny(e.Error(), tc.secrets) || containsAny(c.Name(), tc.secrets) {
			t.Errorf("%s: %q / %q", tc.raw, e.Error(), c.Name())
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
