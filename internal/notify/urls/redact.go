package urls

import (
	"encoding/base64"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Redacted replaces every secret part of a notification URL in text.
const Redacted = "xxxxx"

// minSecret is the shortest part of a URL treated as a secret: shorter
// ones ("yes", "1") would mangle every message they occur in.
const minSecret = 4

// publicWords are path segments, user names and hosts that services use as
// fixed words, never as tokens.
var publicWords = map[string]bool{
	"hook": true, "xoxb": true, "xoxp": true, "webhook": true, "webhooks": true, "hooks": true,
	"api": true, "services": true, "workflows": true, "triggers": true, "manual": true, "paths": true,
	"invoke": true, "webhookb2": true, "incomingwebhook": true, "powerautomate": true,
	"automations": true, "direct": true, "raw": true, "localhost": true,
}

// publicKeys are query keys whose values say how to show a message, never
// who may post it.
var publicKeys = map[string]bool{
	"title": true, "color": true, "colorerror": true, "colorwarn": true, "colorinfo": true,
	"colordebug": true, "priority": true, "tags": true, "severity": true, "source": true,
	"action": true, "disabletls": true, "disabletlsverification": true, "scheme": true,
	"username": true, "botname": true, "icon": true, "splitlines": true, "json": true,
	"cache": true, "firebase": true, "api-version": true, "sv": true, "sp": true,
	"client": true, "client_url": true, "template": true, "contenttype": true,
	"requestmethod": true, "messagekey": true, "titlekey": true, "host": true, "parsemode": true,
	"preview": true, "notification": true, "click": true,
}

// separators split a secret into the pieces a service may rebuild it from
// (Slack's T…-B…-X… token becomes T…/B…/X… in its webhook URL).
var separators = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-/,:@._~+]`) })

// Redactor removes the secret parts of one notification URL from text.
type Redactor struct {
	forms []string // longest first
}

// NewRedactor finds the secrets in raw: the user name and password, a host
// that is an id rather than a domain name (Discord's webhook id, a Teams
// tenant), every path segment (tokens, integration keys, ntfy topics) and
// the query values other than display settings. It never fails: a URL that
// does not parse is a secret as a whole, and so is each of its pieces.
func NewRedactor(raw string) *Redactor {
	var secrets []string
	add := func(s string) {
		if len(s) >= minSecret && !publicWords[strings.ToLower(s)] {
			secrets = append(secrets, s)
		}
	}
	add(raw)
	for _, piece := range separators().Split(raw, -1) {
		if len(piece) >= 8 {
			add(piece)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		for _, piece := range regexp.MustCompile(`[^A-Za-z0-9_-]+`).Split(raw, -1) {
			add(piece)
		}
		return newRedactor(secrets)
	}
	if u.User != nil {
		user := u.User.Username()
		pass, hasPass := u.User.Password()
		add(user)
		add(pass)
		if hasPass {
			add(user + ":" + pass) // HTTP basic authentication
		}
		add(u.User.String())
	}
	if h := u.Hostname(); h != "" && !strings.Contains(h, ".") && net.ParseIP(h) == nil {
		add(h)
	}
	if u.Opaque != "" {
		add(u.Opaque)
	}
	add(strings.Trim(u.Path, "/"))
	for seg := range strings.SplitSeq(u.Path, "/") {
		add(seg)
	}
	for key, values := range u.Query() {
		if publicKeys[strings.ToLower(key)] {
			continue
		}
		for _, v := range values {
			add(v)
		}
	}
	add(u.RawQuery)
	// pieces of the secrets, as services rebuild them with other separators
	for _, s := range slices.Clone(secrets) {
		for _, piece := range separators().Split(s, -1) {
			if len(piece) >= 8 {
				add(piece)
			}
		}
	}
	return newRedactor(secrets)
}

func newRedactor(secrets []string) *Redactor {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		for _, f := range []string{s, url.PathEscape(s), url.QueryEscape(s),
			base64.StdEncoding.EncodeToString([]byte(s)), base64.URLEncoding.EncodeToString([]byte(s)),
			base64.RawStdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))} {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return &Redactor{forms: forms}
}

// Redact returns text with every form of every secret (raw, URL-escaped,
// base64) replaced by xxxxx.
func (r *Redactor) Redact(text string) string {
	if r == nil {
		return text
	}
	for _, f := range r.forms {
		if strings.Contains(text, f) {
			text = strings.ReplaceAll(text, f, Redacted)
		}
	}
	return text
}

// shown is raw as it may be printed: scheme, host when it is a domain
// name, and xxxxx for the user, the path and the query.
func shown(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "a notification URL that does not parse"
	}
	out := u.Scheme + "://"
	if u.User != nil {
		out += Redacted + "@"
	}
	host := u.Host
	if h := u.Hostname(); h != "" && !strings.Contains(h, ".") && net.ParseIP(h) == nil && h != "localhost" && h != "webhook" {
		host = Redacted
	}
	out += host
	if strings.Trim(u.Path, "/") != "" {
		out += "/" + Redacted
	}
	if u.RawQuery != "" {
		out += "?" + Redacted
	}
	return out
}
