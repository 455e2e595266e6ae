package urls

import (
	"context"
	"encoding/json"
	"net/http"
)

// Adaptive Card colours, by level.
var cardColor = map[level]string{levelGood: "Good", levelWarn: "Warning", levelBad: "Attention"}

// teamsWorkflowBody is the message a Teams "Post to a channel when a
// webhook request is received" workflow expects: an Adaptive Card as an
// attachment. shoutrrr's teams:// speaks only the retired Office 365
// connectors (webhook.office.com, MessageCard).
func teamsWorkflowBody(m *message) ([]byte, error) {
	body := []any{
		map[string]any{"type": "TextBlock", "text": m.Title, "weight": "Bolder", "size": "Medium",
			"color": cardColor[m.Level], "wrap": true},
	}
	var facts []map[string]string
	for _, f := range m.Facts {
		if f.Value != "" {
			facts = append(facts, map[string]string{"title": f.Name, "value": f.Value})
		}
	}
	if len(facts) > 0 {
		body = append(body, map[string]any{"type": "FactSet", "facts": facts})
	}
	text := func(s string, extra map[string]any) {
		b := map[string]any{"type": "TextBlock", "text": s, "wrap": true}
		for k, v := range extra {
			b[k] = v
		}
		body = append(body, b)
	}
	for _, n := range m.Notes {
		text("Note: "+oneLine(n), map[string]any{"isSubtle": true})
	}
	if m.Error != "" {
		text("Error: "+oneLine(m.Error), map[string]any{"color": "Attention"})
	}
	for _, l := range m.Logs {
		text(l, map[string]any{"fontType": "Monospace", "spacing": "None"})
	}
	if m.Output != "" {
		text("Output: "+oneLine(m.Output), nil)
	}
	for _, l := range m.Links {
		text(markdown.link(fileName(l), l), nil)
	}
	for _, l := range m.Lines {
		text(l, map[string]any{"spacing": "None"})
	}
	card := map[string]any{"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
		"version": "1.4", "body": body}
	if m.Link != "" {
		card["actions"] = []map[string]string{{"type": "Action.OpenUrl", "title": "Open the prediction", "url": m.Link}}
	}
	return json.Marshal(map[string]any{"type": "message", "attachments": []map[string]any{{
		"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": nil, "content": card}}})
}

// sendTeamsWorkflow posts m as an Adaptive Card to a Power Automate workflow URL.
func (c *Channel) sendTeamsWorkflow(ctx context.Context, m *message) error {
	body, err := teamsWorkflowBody(m)
	if err != nil {
		return &Error{Channel: c.name, msg: "building the card: " + err.Error()}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return c.post(ctx, body, h)
}
