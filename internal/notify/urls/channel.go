// Package urls sends notifications to the services named by URLs in the
// syntax of github.com/nicholas-fedor/shoutrrr: slack://, discord://,
// teams://, ntfy://, pagerduty://, telegram:// and the others it knows,
// through its own code, plus two senders of notifier's own where the
// library cannot express what a message needs: generic:// (a JSON body
// signed with Standard Webhooks headers) and teams+https:// Power Automate
// workflow URLs (an Adaptive Card). Every error and name has the URL's
// secrets removed.
package urls

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/nicholas-fedor/shoutrrr/pkg/format"
	"github.com/nicholas-fedor/shoutrrr/pkg/router"
	"github.com/nicholas-fedor/shoutrrr/pkg/services/chat/discord"
	"github.com/nicholas-fedor/shoutrrr/pkg/services/incident/pagerduty"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"
	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// ErrNoSecret means a generic:// URL was given without a signing secret:
// notifier never posts an unsigned webhook.
var ErrNoSecret = errors.New("generic webhooks are signed: no signing secret")

// Options configure a Channel.
type Options struct {
	// Transport sends the requests of the services that accept an HTTP
	// client (ntfy, PagerDuty, Discord, generic, Teams workflows, and any
	// other with SetHTTPClient). Default: a transport of its own, TLS 1.2
	// or newer, proxy from the environment.
	Transport http.RoundTripper
	// Secret signs generic:// webhooks; required for them.
	Secret webhook.Secret
	// Now is the clock of the signatures and PagerDuty events (default time.Now).
	Now func() time.Time
}

// defaultTransport is shared by the channels, so that they reuse connections.
var defaultTransport http.RoundTripper = &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          100,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ExpectContinueTimeout: time.Second,
	TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
}

// kind is who sends a channel's messages.
type kind int

const (
	kindShoutrrr kind = iota + 1
	kindGeneric
	kindTeamsWorkflow
)

// Channel sends notifications to the service one URL names. It is safe for
// concurrent use: each Send builds the library's service afresh, as the
// services keep per-message settings in their configuration.
type Channel struct {
	raw     string
	name    string
	service string // slack, ntfy, generic, teams...
	kind    kind
	target  string          // the http(s) URL of notifier's own senders
	keys    map[string]bool // query keys the URL sets: they win over notifier's
	red     *Redactor
	opts    Options
}

// New checks raw and returns its channel: through shoutrrr's router for
// the services it knows, so that a bad URL is found before anything runs.
// The error never contains the URL's secrets.
func New(raw string, opts Options) (*Channel, error) {
	raw = strings.TrimSpace(raw)
	red := NewRedactor(raw)
	c := &Channel{raw: raw, name: shown(raw), red: red, opts: opts, keys: map[string]bool{}}
	if c.opts.Now == nil {
		c.opts.Now = time.Now
	}
	if c.opts.Transport == nil {
		c.opts.Transport = defaultTransport
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("%s does not parse as a URL such as slack://..., ntfy://... or generic://host/path", c.name)
	}
	for k := range u.Query() {
		c.keys[strings.ToLower(k)] = true
	}
	scheme := strings.ToLower(u.Scheme)
	c.service, _, _ = strings.Cut(scheme, "+")
	switch {
	case c.service == "generic":
		c.kind = kindGeneric
		if c.target, err = genericTarget(u, scheme); err != nil {
			return nil, errors.New(red.Redact(err.Error()))
		}
		if opts.Secret.IsZero() {
			return nil, ErrNoSecret
		}
		return c, nil
	case scheme == "teams+https" && !strings.HasSuffix(strings.ToLower(u.Hostname()), ".webhook.office.com"):
		c.kind, c.target = kindTeamsWorkflow, raw[len("teams+"):]
		if u.Host == "" {
			return nil, fmt.Errorf("%s has no host: want the Power Automate workflow URL after teams+", c.name)
		}
		return c, nil
	case c.service == "smtp":
		return nil, fmt.Errorf("%s: use --email-to with NOTIFIER_SMTP_URL for email", c.name)
	}
	c.kind = kindShoutrrr
	if _, err := c.locate(); err != nil {
		return nil, err
	}
	return c, nil
}

// genericTarget is where a generic URL posts: generic://host/path is
// https (http with ?disabletls=yes), generic+https://... and
// generic+http://... the URL after "generic+".
func genericTarget(u *url.URL, scheme string) (string, error) {
	t := *u
	switch scheme {
	case "generic+https", "generic+http":
		t.Scheme = strings.TrimPrefix(scheme, "generic+")
	case "generic":
		t.Scheme = "https"
		q := t.Query()
		for k, v := range q {
			if strings.EqualFold(k, "disabletls") {
				if len(v) > 0 && isYes(v[0]) {
					t.Scheme = "http"
				}
				q.Del(k)
			}
		}
		t.RawQuery = q.Encode()
	default:
		return "", fmt.Errorf("unknown generic scheme %q: want generic://, generic+https:// or generic+http://", scheme)
	}
	if t.Host == "" {
		return "", fmt.Errorf("%s has no host", shown(u.String()))
	}
	return t.String(), nil
}

func isYes(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "true", "1", "on":
		return true
	}
	return false
}

// locate builds the library's service for the URL.
func (c *Channel) locate() (types.Service, error) {
	r, err := router.New(nil)
	if err != nil {
		return nil, errors.New(c.red.Redact(err.Error()))
	}
	svc, err := r.Locate(c.raw)
	switch {
	case errors.Is(err, router.ErrUnknownService):
		return nil, fmt.Errorf("%s: unknown service %q: want slack, discord, teams, ntfy, pagerduty, generic, telegram, matrix, gotify, pushover, opsgenie or another shoutrrr service",
			c.name, c.service)
	case errors.Is(err, router.ErrInitializeFailed):
		return nil, fmt.Errorf("%s: not a valid %s URL; see https://shoutrrr.nickfedor.com for its form", c.name, c.service)
	case err != nil:
		return nil, fmt.Errorf("%s: %s", c.name, c.red.Redact(err.Error()))
	}
	return svc, nil
}

// Name is the URL without its secrets, e.g. "ntfy://ntfy.sh/xxxxx".
func (c *Channel) Name() string { return c.name }

// Service is the service's name: the URL's scheme before any "+".
func (c *Channel) Service() string { return c.service }

// DefaultOn is the statuses whose results go to the channel when the user
// chose none: PagerDuty pages for failures only; the others hear of all.
func (c *Channel) DefaultOn() []replicate.Status {
	if c.service == pagerduty.Scheme {
		return []replicate.Status{replicate.Failed, "aborted"}
	}
	return nil
}

// Redact removes the URL's secrets from text.
func (c *Channel) Redact(text string) string { return c.red.Redact(text) }

// Send renders n for the service and sends it, within ctx. Its errors are
// *Error: Temporary for network errors, timeouts, 429 and 5xx answers.
func (c *Channel) Send(ctx context.Context, n notify.Notification) error {
	m, err := newMessage(n)
	if err != nil {
		return &Error{Channel: c.name, msg: "building the message: " + err.Error()}
	}
	switch c.kind {
	case kindGeneric:
		return c.sendGeneric(ctx, n, m)
	case kindTeamsWorkflow:
		return c.sendTeamsWorkflow(ctx, m)
	}
	return c.sendShoutrrr(ctx, m)
}

// client is the HTTP client given to the services that take one.
func (c *Channel) client(ctx context.Context, rec *recorder) *http.Client {
	return &http.Client{Transport: &ctxTransport{ctx: ctx, base: c.opts.Transport, rec: rec}}
}

// sendShoutrrr sends m through the library. Its Send takes no context: the
// services that take an HTTP client get one bound to ctx; for the others
// (Slack, Teams connectors) Send runs on its own goroutine, given up on
// when ctx ends, and ends by the library's own timeout (10 s).
func (c *Channel) sendShoutrrr(ctx context.Context, m *message) error {
	svc, err := c.locate()
	if err != nil {
		return &Error{Channel: c.name, msg: err.Error()}
	}
	rec := &recorder{}
	client := c.client(ctx, rec)
	switch s := svc.(type) {
	case *discord.Service:
		s.HTTPClient, s.Sleeper = client, ctxSleeper{ctx}
	case interface{ SetHTTPClient(*http.Client) }:
		s.SetHTTPClient(client)
	}
	text, params, items := c.render(svc, m)
	done := make(chan error, 1)
	go func() {
		switch s := svc.(type) {
		case *pagerduty.Service:
			done <- s.SendWithContext(ctx, text, &params)
		case *discord.Service:
			done <- s.SendItems(items, &params)
		default:
			done <- svc.Send(text, &params)
		}
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("gave up waiting for %s: %w", c.service, ctx.Err())
	}
	if err == nil {
		return nil
	}
	e := newError(c.name, c.red, err, rec)
	if _, ok := svc.(*discord.Service); ok && e.Status != 0 {
		e.temp = false // the library retried 429 and 5xx answers itself
	}
	return e
}

// ctxSleeper is Discord's retry wait, cut short when the send's context ends.
type ctxSleeper struct{ ctx context.Context }

// Sleep waits d or until the context ends.
func (s ctxSleeper) Sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.ctx.Done():
	}
}

// set puts a service setting in params unless the URL chose it itself.
func (c *Channel) set(params types.Params, key, value string) {
	if value != "" && !c.keys[strings.ToLower(key)] {
		params[key] = value
	}
}

// hasKey reports whether svc's configuration takes the query key.
func hasKey(svc types.Service, key string) bool {
	v := reflect.ValueOf(svc)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return false
	}
	f := v.Elem().FieldByName("Config")
	if !f.IsValid() || f.IsNil() {
		return false
	}
	cfg, ok := f.Interface().(types.ServiceConfig)
	if !ok {
		return false
	}
	pkr := format.NewPropKeyResolver(cfg)
	return slices.Contains(pkr.QueryFields(), key)
}
