package tunnel

import (
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
)

// scrubHandler passes the ngrok agent's log records on with the authtoken
// replaced by [authtoken]: in the message, in attribute keys and values at
// any depth, and in the attributes and groups added by WithAttrs and
// WithGroup. The agent logs what the service says, and the service quotes a
// refused authtoken back ("Your authtoken: ..."), both in the auth response
// it logs at Debug level and in the "failed to reconnect session" error it
// logs at Error level.
type scrubHandler struct {
	next  slog.Handler
	token string
}

// scrubLogger returns a logger that writes to l's handler through a
// scrubHandler for token; with no token there is nothing to scrub.
func scrubLogger(l *slog.Logger, token string) *slog.Logger {
	if token == "" {
		return l
	}
	return slog.New(&scrubHandler{next: l.Handler(), token: token})
}

// Enabled defers to the wrapped handler.
func (h *scrubHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle scrubs r into a new record and passes that on.
func (h *scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, scrub(r.Message, h.token), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs scrubs attrs before the wrapped handler keeps them.
func (h *scrubHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &scrubHandler{next: h.next.WithAttrs(h.attrs(attrs)), token: h.token}
}

// WithGroup scrubs the group's name.
func (h *scrubHandler) WithGroup(name string) slog.Handler {
	return &scrubHandler{next: h.next.WithGroup(scrub(name, h.token)), token: h.token}
}

func (h *scrubHandler) attrs(as []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = h.attr(a)
	}
	return out
}

// attr scrubs one attribute. A slog.LogValuer is resolved first, as the
// wrapped handler would, so that what it logs is what is checked.
func (h *scrubHandler) attr(a slog.Attr) slog.Attr {
	a.Key = scrub(a.Key, h.token)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		a.Value = slog.GroupValue(h.attrs(v.Group())...)
	case slog.KindString:
		a.Value = slog.StringValue(scrub(v.String(), h.token))
	case slog.KindAny:
		a.Value = h.any(v)
	default:
		// Numbers, times and durations cannot hold a token; a token made
		// only of digits would still be caught here.
		if s := v.String(); strings.Contains(s, h.token) {
			v = slog.StringValue(scrub(s, h.token))
		}
		a.Value = v
	}
	return a
}

// any checks every way a handler may render v: as slog's TextHandler does
// (MarshalText, a []byte as text, else fmt's %+v), with %v, and as JSON
// (slog's JSONHandler, which shows struct fields a String method may
// hide). Errors, fmt.Stringers, slices such as []any and structs are all
// covered by these. A value that shows the token in any of them becomes
// its TextHandler text, scrubbed; any other value is passed on unchanged,
// so the handler still renders it its own way.
func (h *scrubHandler) any(v slog.Value) slog.Value {
	shown := renderings(v.Any())
	for _, s := range shown {
		if strings.Contains(s, h.token) {
			return slog.StringValue(scrub(shown[0], h.token))
		}
	}
	return v
}

// renderings is x as the known handlers show it, TextHandler's form first.
func renderings(x any) []string {
	var out []string
	if tm, ok := x.(encoding.TextMarshaler); ok {
		if b, err := safely(tm.MarshalText); err == nil {
			out = append(out, string(b))
		}
	}
	if rv := reflect.ValueOf(x); rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		out = append(out, string(rv.Bytes())) // []byte, json.RawMessage...
	}
	out = append(out, fmt.Sprintf("%+v", x), fmt.Sprint(x))
	if b, err := safely(func() ([]byte, error) { return json.Marshal(x) }); err == nil {
		out = append(out, string(b))
	}
	return out
}

// safely calls f, turning a panic into an error: a marshaller may panic
// on a value a handler would never try to encode that way.
func safely(f func() ([]byte, error)) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}
