package urls

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/nicholas-fedor/shoutrrr/pkg/types"

	"github.com/notifier-dev/notifier/internal/notify"
)

// Colours of the chat services, by level.
var (
	slackColor   = map[level]string{levelGood: "good", levelWarn: "warning", levelBad: "danger"}
	teamsColor   = map[level]string{levelGood: "2EB886", levelWarn: "FFC441", levelBad: "D60510"}
	discordLevel = map[level]types.MessageLevel{levelGood: types.Info, levelWarn: types.Warning, levelBad: types.Error}
)

// maxDiscord keeps an embed's description below Discord's 4096 characters.
const maxDiscord = 3500

// render makes the text, the service's settings and, for Discord, the
// message items of m.
func (c *Channel) render(svc types.Service, m *message) (string, types.Params, []types.MessageItem) {
	params := types.Params{}
	switch c.service {
	case "slack":
		c.set(params, "title", "*"+slackMarkup.esc(m.Title)+"*")
		c.set(params, "color", slackColor[m.Level])
		return strings.Join(m.body(slackMarkup), "\n"), params, nil
	case "discord":
		c.set(params, "title", m.Title)
		text := truncate(strings.Join(m.body(markdown), "\n"), maxDiscord)
		return text, params, []types.MessageItem{{Text: text, Level: discordLevel[m.Level]}}
	case "teams":
		c.set(params, "title", m.Title)
		c.set(params, "color", teamsColor[m.Level])
		return strings.Join(m.body(markdown), "\n\n"), params, nil
	case "ntfy":
		c.set(params, "title", m.Title)
		priority, tags := "default", "white_check_mark"
		switch {
		case m.Kind == notify.KindAlert && m.Failing:
			priority, tags = "urgent", "rotating_light"
		case m.Level == levelBad:
			priority, tags = "high", "x"
		case m.Level == levelWarn:
			tags = "warning"
		}
		c.set(params, "priority", priority)
		c.set(params, "tags", tags)
		c.set(params, "click", m.Link)
		return strings.Join(m.body(plain), "\n"), params, nil
	case "pagerduty":
		return c.renderPagerDuty(m, params), params, nil
	}
	if hasKey(svc, "title") {
		c.set(params, "title", m.Title)
		return strings.Join(m.body(plain), "\n"), params, nil
	}
	return m.Title + "\n" + strings.Join(m.body(plain), "\n"), params, nil
}

// renderPagerDuty makes an Events API v2 event: a failure-rate alert
// triggers an incident keyed by the model and its recovery resolves it; a
// failed prediction triggers one of its own; a failing summary triggers
// one keyed by its title, which a passing one resolves.
func (c *Channel) renderPagerDuty(m *message, params types.Params) string {
	action, severity, key := "trigger", "error", ""
	switch m.Kind {
	case notify.KindAlert:
		key, severity = DedupKey(m.Model), "critical"
		if m.Alert.Recovered {
			action = "resolve"
		}
	case notify.KindResult:
		key = "notifier:prediction:" + m.ID
		switch m.Level {
		case levelGood:
			severity = "info"
		case levelWarn:
			severity = "warning"
		}
	case notify.KindSummary:
		name, _, _ := strings.Cut(m.Title, ":")
		key = "notifier:summary:" + name
		if !m.Failing {
			action = "resolve"
		}
	}
	c.set(params, "action", action)
	c.set(params, "severity", severity)
	c.set(params, "dedup_key", key)
	source, err := os.Hostname()
	if err != nil || source == "" {
		source = "notifier"
	}
	c.set(params, "source", source)
	c.set(params, "client", "notifier")
	if m.Link != "" {
		c.set(params, "client_url", m.Link)
		ctx, _ := json.Marshal([]map[string]string{{"type": "link", "href": m.Link, "text": "the prediction on Replicate"}})
		c.set(params, "contexts", string(ctx))
	}
	details := map[string]any{}
	for _, f := range m.Facts {
		if f.Value != "" {
			details[strings.ToLower(strings.ReplaceAll(f.Name, " ", "_"))] = f.Value
		}
	}
	if m.Error != "" {
		details["error"] = m.Error
	}
	if len(m.Logs) > 0 {
		details["logs"] = m.Logs
	}
	if m.Output != "" {
		details["output"] = m.Output
	}
	if len(m.Links) > 0 {
		details["files"] = m.Links
	}
	if len(m.Lines) > 0 {
		details["lines"] = m.Lines
	}
	if b, err := json.Marshal(details); err == nil && len(details) > 0 {
		c.set(params, "details", string(b))
	}
	return m.Title
}

// DedupKey is the PagerDuty dedup key of the failure-rate alerts about
// model ("" for all models): its recovery resolves the incident its alert
// triggered.
func DedupKey(model string) string {
	if model == "" {
		return "notifier:failure-rate"
	}
	return "notifier:failure-rate:" + model
}
