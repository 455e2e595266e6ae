package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
)

func TestParseSecret(t *testing.T) {
	tests := []struct {
		in      string
		wantErr bool
	}{
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false},
		{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false},
		{"  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", false},
		{"whsec_AA==", false}, // one byte: accepted, see ParseSecret
		{"", true},
		{"whsec_", true},
		{"   ", true},
		{"whsec_not base64!", true},
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", true}, // bad padding
		{"whsec_====", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSecret(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrBadSecret) {
					t.Fatalf("err = %v, want ErrBadSecret", err)
				}
				assertNoLeak(t, err.Error(), strings.TrimPrefix(strings.TrimSpace(tt.in), "whsec_"))
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	raw := "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	s := mustSecret(t, "whsec_"+raw)
	holder := struct {
		Exported   Secret
		unexported Secret
		ptr        *Secret
	}{s, s, &s}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		for name, arg := range map[string]any{"value": s, "pointer": &s, "holder": holder, "holderPtr": &holder} {
			out := fmt.Sprintf(verb, arg)
			assertNoLeak(t, out, raw)
			if name == "value" && out != "whsec_[redacted]" {
				t.Errorf("Sprintf(%q, secret) = %q, want whsec_[redacted]", verb, out)
			}
		}
	}
	if s.String() != "whsec_[redacted]" || s.GoString() != "whsec_[redacted]" {
		t.Errorf("String/GoString reveal more than the redaction")
	}
}

func TestVerifyErrorsNeverContainSecret(t *testing.T) {
	raw := "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	s := mustSecret(t, "whsec_"+raw)
	v := vectors[0]
	for _, sig := range []string{"v1,bad", "", "v1," + raw} {
		err := s.Verify(v.header(sig), []byte(v.body), v.time().Add(10*60e9))
		if err == nil {
			t.Fatalf("sig %q verified", sig)
		}
		assertNoLeak(t, err.Error(), raw)
	}
}

// assertNoLeak fails when out contains the base64 key or its raw bytes.
func assertNoLeak(t *testing.T, out, b64 string) {
	t.Helper()
	if b64 != "" && len(b64) > 3 && strings.Contains(out, b64) {
		t.Errorf("output %q contains the secret", out)
	}
	s, err := ParseSecret(b64)
	if err == nil && bytes.Contains([]byte(out), s.key()) {
		t.Errorf("output %q contains the key bytes", out)
	}
	if err == nil && strings.Contains(out, fmt.Sprint([]byte(s.key())[:4])[1:8]) {
		t.Errorf("output %q contains the key as numbers", out)
	}
}

func TestGenerateSecret(t *testing.T) {
	got, err := GenerateSecret(bytes.NewReader(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; got != want {
		t.Errorf("GenerateSecret = %q, want %q", got, want)
	}
	s, err := ParseSecret(got)
	if err != nil || len(s.key()) != 32 {
		t.Fatalf("ParseSecret(generated) = %d bytes, %v", len(s.key()), err)
	}
	random, err := GenerateSecret(nil)
	if err != nil || random == got {
		t.Fatalf("GenerateSecret(nil) = %q, %v", random, err)
	}
	if _, err := GenerateSecret(iotest.ErrReader(errors.New("boom"))); err == nil {
		t.Fatal("GenerateSecret with failing reader: want error")
	}
}
