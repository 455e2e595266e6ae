package webhook

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzVerify checks the signature-header parser: it never panics, arbitrary
// entries never hide a valid one, and a header without the valid digest
// never verifies.
func FuzzVerify(f *testing.F) {
	v := vectors[0]
	for _, seed := range []string{"", "v1,", "v1", ",", "v1,,", "v2,abc v1,", "v1,AAAA v1,====", " \t ", v.sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O=="} {
		f.Add(seed)
	}
	s := mustSecret(f, v.secret)
	body := []byte(v.body)
	f.Fuzz(func(t *testing.T, header string) {
		for _, d := range parseSignatureHeader(header) {
			if len(d) == 0 {
				t.Fatalf("empty digest from %q", header)
			}
		}
		// Fields splits on any white space; a trailing separator keeps the
		// fuzzed prefix from gluing onto the good entry.
		err := s.Verify(v.header(header+" "+v.sig), body, v.time())
		if err != nil {
			t.Fatalf("good entry after %q rejected: %v", header, err)
		}
		err = s.Verify(v.header(header), body, v.time())
		if err == nil && !containsGoodDigest(header, v.sig) {
			t.Fatalf("header %q verified without the good digest", header)
		}
	})
}

func containsGoodDigest(header, good string) bool {
	want, _ := ParseSecret("whsec_" + strings.TrimPrefix(good, "v1,")) // reuse the decoder
	for _, d := range parseSignatureHeader(header) {
		if bytes.Equal(d, want.key()) {
			return true
		}
	}
	return false
}
