package tunnel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

const logToken = "2xyzLOGtoken_secret"

// stringer shows the token through String.
type stringer struct{}

func (stringer) String() string { return "token " + logToken }

// hidden hides the token from fmt, but JSON shows its field.
type hidden struct{ Token string }

func (hidden) String() string { return "HIDDEN" }

// textual shows the token through MarshalText, which TextHandler prefers.
type textual struct{}

func (textual) MarshalText() ([]byte, error) { return []byte("t=" + logToken), nil }

// valuer logs as a group holding the token.
type valuer struct{}

func (valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("inner", "is "+logToken), slog.Int("n", 7))
}

// clean is a struct without the token, which must reach the handler as is.
type clean struct{ Region string }

func TestScrubHandler(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var next slog.Handler = slog.NewTextHandler(&buf, opts)
			if format == "json" {
				next = slog.NewJSONHandler(&buf, opts)
			}
			log := scrubLogger(slog.New(next), logToken)
			log = log.With("with", "w "+logToken, slog.Group("g", "gv", logToken))
			log = log.WithGroup("grp_" + logToken)
			log.Debug("Your authtoken: "+logToken,
				"s", "quoted "+logToken,
				"err", fmt.Errorf("authentication failed: %w", errors.New("Your authtoken: "+logToken)),
				"stringer", stringer{},
				"list", []any{"a", logToken, 3},
				"strs", []string{logToken},
				"bytes", []byte("raw "+logToken),
				"raw", json.RawMessage(`{"t":"`+logToken+`"}`),
				"text", textual{},
				"hidden", hidden{Token: logToken},
				"ptr", &hidden{Token: logToken},
				"valuer", valuer{},
				slog.Group("outer", slog.Group("inner", slog.String("deep", logToken), slog.Any("e", errors.New(logToken)))),
				logToken, "as a key",
				"n", 42,
				"d", time.Second,
				"clean", clean{Region: "eu"},
			)
			out := buf.String()
			if strings.Contains(out, logToken) {
				t.Errorf("output shows the token:\n%s", out)
			}
			// Every value is still there, scrubbed or, without the token,
			// unchanged: a handler that dropped everything would fail.
			want := []string{
				`msg="Your authtoken: [authtoken]"`, `with="w [authtoken]"`, `g.gv=[authtoken]`,
				`grp_[authtoken].s="quoted [authtoken]"`,
				`.err="authentication failed: Your authtoken: [authtoken]"`,
				`.stringer="token [authtoken]"`, `.list="[a [authtoken] 3]"`, `.strs=[[authtoken]]`,
				`.bytes="raw [authtoken]"`, `.raw="{\"t\":\"[authtoken]\"}"`, `.text="t=[authtoken]"`,
				`.hidden=HIDDEN`, `.ptr=HIDDEN`, `.valuer.inner="is [authtoken]"`, `.valuer.n=7`,
				`.outer.inner.deep=[authtoken]`, `.outer.inner.e=[authtoken]`, `.[authtoken]="as a key"`,
				`.n=42`, `.d=1s`, `.clean={Region:eu}`,
			}
			if format == "json" {
				want = []string{
					`"msg":"Your authtoken: [authtoken]"`, `"with":"w [authtoken]"`, `"g":{"gv":"[authtoken]"}`,
					`"grp_[authtoken]":{"s":"quoted [authtoken]"`,
					`"err":"authentication failed: Your authtoken: [authtoken]"`,
					`"stringer":"token [authtoken]"`, `"list":"[a [authtoken] 3]"`, `"strs":"[[authtoken]]"`,
					`"bytes":"raw [authtoken]"`, `"raw":"{\"t\":\"[authtoken]\"}"`, `"text":"t=[authtoken]"`,
					`"hidden":"HIDDEN"`, `"ptr":"HIDDEN"`, `"valuer":{"inner":"is [authtoken]","n":7}`,
					`"outer":{"inner":{"deep":"[authtoken]","e":"[authtoken]"}}`, `"[authtoken]":"as a key"`,
					`"n":42`, `"d":1000000000`, `"clean":{"Region":"eu"}`,
				}
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %s:\n%s", w, out)
				}
			}
		})
	}
}

func TestScrubLoggerWithoutToken(t *testing.T) {
	l := slog.New(slog.DiscardHandler)
	if scrubLogger(l, "") != l {
		t.Error("scrubLogger wrapped a logger with nothing to scrub")
	}
}
