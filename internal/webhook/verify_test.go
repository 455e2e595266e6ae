package webhook

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestVectorsSign(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			s, err := ParseSecret(v.secret)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Sign(v.id, v.time(), []byte(v.body)); got != v.sig {
				t.Errorf("Sign = %q, want %q", got, v.sig)
			}
		})
	}
}

func TestVectorsVerify(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			s, err := ParseSecret(v.secret)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Verify(v.header(v.sig), []byte(v.body), v.time()); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestVerifyNegative(t *testing.T) {
	v := vectors[0]
	good := v.sig
	b64 := strings.TrimPrefix(good, "v1,")
	tests := []struct {
		name   string
		header func() http.Header
		body   string
		now    time.Time
		want   error // sentinel, or nil for success
		ts     bool  // want a *TimestampError
		future bool
	}{
		{name: "valid", header: func() http.Header { return v.header(good) }},
		{name: "wrong signature", header: func() http.Header {
			return v.header("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")
		}, want: ErrBadSignature},
		{name: "v1 comma alone", header: func() http.Header { return v.header("v1,") }, want: ErrBadSignature},
		{name: "truncated signature", header: func() http.Header { return v.header(good[:len(good)-8]) }, want: ErrBadSignature},
		{name: "garbage base64", header: func() http.Header { return v.header("v1,%%%not-base64$$$") }, want: ErrBadSignature},
		{name: "good digest under v2", header: func() http.Header { return v.header("v2," + b64) }, want: ErrBadSignature},
		{name: "good digest without version", header: func() http.Header { return v.header(b64) }, want: ErrBadSignature},
		{name: "list with good entry passes", header: func() http.Header {
			return v.header("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " +
				good + " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")
		}},
		{name: "malformed entries before good one", header: func() http.Header {
			return v.header("nocomma v1,!!! v1, ,  " + good)
		}},
		{name: "body altered", header: func() http.Header { return v.header(good) }, body: `{"test": 2432232315}`, want: ErrBadSignature},
		{name: "stale by 5m1s", header: func() http.Header { return v.header(good) },
			now: v.time().Add(5*time.Minute + time.Second), ts: true},
		{name: "future by 5m1s", header: func() http.Header { return v.header(good) },
			now: v.time().Add(-5*time.Minute - time.Second), ts: true, future: true},
		{name: "stale by exactly 5m passes", header: func() http.Header { return v.header(good) }, now: v.time().Add(5 * time.Minute)},
		{name: "future by exactly 5m passes", header: func() http.Header { return v.header(good) }, now: v.time().Add(-5 * time.Minute)},
		{name: "non-numeric timestamp", header: func() http.Header {
			h := v.header(good)
			h.Set(HeaderTimestamp, "16142653x0")
			return h
		}, want: ErrMalformedHeaders},
		{name: "negative timestamp", header: func() http.Header {
			h := v.header(good)
			h.Set(HeaderTimestamp, "-1614265330")
			return h
		}, want: ErrMalformedHeaders},
		{name: "overflowing timestamp", header: func() http.Header {
			h := v.header(good)
			h.Set(HeaderTimestamp, "99999999999999999999999")
			return h
		}, want: ErrMalformedHeaders},
		{name: "missing id", header: func() http.Header { h := v.header(good); h.Del(HeaderID); return h }, want: ErrMissingHeaders},
		{name: "missing timestamp", header: func() http.Header { h := v.header(good); h.Del(HeaderTimestamp); return h }, want: ErrMissingHeaders},
		{name: "missing signature", header: func() http.Header { h := v.header(good); h.Del(HeaderSignature); return h }, want: ErrMissingHeaders},
		{name: "no headers", header: func() http.Header { return http.Header{} }, want: ErrMissingHeaders},
	}
	s := mustSecret(t, v.secret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := v.body
			if tt.body != "" {
				body = tt.body
			}
			now := tt.now
			if now.IsZero() {
				now = v.time()
			}
			err := s.Verify(tt.header(), []byte(body), now)
			checkErr(t, err, tt.want, tt.ts, tt.future)
		})
	}
}

func checkErr(t *testing.T, err, want error, ts, future bool) {
	t.Helper()
	if ts {
		var te *TimestampError
		if !errors.As(err, &te) {
			t.Fatalf("err = %v, want *TimestampError", err)
		}
		if te.Future != future || te.Skew != 5*time.Minute+time.Second {
			t.Errorf("TimestampError = %+v, want future=%v skew 5m1s", te, future)
		}
		return
	}
	if want == nil {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func TestEmptyBodyVerifies(t *testing.T) {
	s := mustSecret(t, vectors[0].secret)
	ts := time.Unix(1700000000, 0)
	h := http.Header{}
	s.SignHeaders(h, "msg_empty", ts, nil)
	if err := s.Verify(h, []byte{}, ts); err != nil {
		t.Fatalf("Verify empty body: %v", err)
	}
}

func TestSignHeadersRoundTrip(t *testing.T) {
	s := mustSecret(t, vectors[1].secret)
	ts := time.Unix(1700000000, 0)
	body := []byte(`{"id":"p1","status":"succeeded"}`)
	h := http.Header{}
	s.SignHeaders(h, "msg_1", ts, body)
	if got := h.Get(HeaderTimestamp); got != "1700000000" {
		t.Errorf("timestamp header = %q", got)
	}
	if err := s.VerifyTolerance(h, body, ts.Add(30*time.Second), time.Minute); err != nil {
		t.Fatalf("VerifyTolerance: %v", err)
	}
	other := mustSecret(t, vectors[0].secret)
	if err := other.Verify(h, body, ts); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong secret: err = %v, want ErrBadSignature", err)
	}
}

func TestTimestampErrorText(t *testing.T) {
	tests := []struct {
		err  TimestampError
		want string
	}{
		{TimestampError{Skew: 7*time.Minute + 2*time.Second + 300*time.Millisecond}, "stale timestamp (skew 7m2s)"},
		{TimestampError{Skew: 6 * time.Minute, Future: true}, "timestamp in the future (skew 6m0s)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestZeroSecretRefusesToVerify(t *testing.T) {
	v := vectors[0]
	var s Secret
	if err := s.Verify(v.header(v.sig), []byte(v.body), v.time()); !errors.Is(err, ErrBadSecret) {
		t.Fatalf("err = %v, want ErrBadSecret", err)
	}
}

func mustSecret(t testing.TB, s string) Secret {
	t.Helper()
	sec, err := ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}
