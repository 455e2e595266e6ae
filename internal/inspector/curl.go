package inspector

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/notifier-dev/notifier/internal/delivery"
)

// curlCommand is a shell command that sends the delivery to target as it
// was received: its method, headers (without the hop-by-hop ones) and body.
// Its signature is the original one: a receiver that checks timestamps
// refuses it after five minutes.
func curlCommand(rec delivery.Record, target string) (string, error) {
	body, err := rec.RawBody()
	switch {
	case err != nil:
		return "", err
	case rec.BodyTruncated || rec.Body == nil && rec.BodyBase64 == "":
		return "", errors.New("only a prefix of this delivery's body was kept (it was rejected): it cannot be sent again")
	case !utf8.Valid(body) || strings.ContainsRune(string(body), 0):
		return "", errors.New("the body is binary: download the record and send it with notifier replay")
	}
	method := rec.Method
	if method == "" {
		method = http.MethodPost
	}
	h := delivery.ForwardHeaders(rec.Headers)
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("curl -sS -X " + shellQuote(method) + " " + shellQuote(target))
	for _, name := range names {
		for _, v := range h[name] {
			b.WriteString(" \\\n  -H " + shellQuote(name+": "+v))
		}
	}
	b.WriteString(" \\\n  --data-binary " + shellQuote(string(body)) + "\n")
	return b.String(), nil
}

// shellQuote quotes s for a POSIX shell: in single quotes, where nothing is
// special but the single quote itself.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
