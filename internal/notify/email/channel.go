package email

import (
	"context"
	"fmt"
	"strings"

	"github.com/notifier-dev/notifier/internal/notify"
)

// Channel sends notifications as email to a list of recipients, through a
// Sender, which retries temporary failures itself.
type Channel struct {
	sender *Sender
	to     []string
}

// NewChannel returns the channel that emails to through s.
func NewChannel(s *Sender, to []string) *Channel {
	return &Channel{sender: s, to: append([]string(nil), to...)}
}

// Name is "email to a@example.com, b@example.com".
func (c *Channel) Name() string { return "email to " + strings.Join(c.to, ", ") }

// To returns the recipients.
func (c *Channel) To() []string { return append([]string(nil), c.to...) }

// Send builds the email for n and sends it. Its errors are *Error, whose
// Temporary is a field, not a method: the Sender has already retried.
func (c *Channel) Send(ctx context.Context, n notify.Notification) error {
	msg, err := BuildNotification(n)
	if err != nil {
		return fmt.Errorf("building email: %w", err)
	}
	return c.sender.Send(ctx, msg, c.to)
}

// BuildNotification makes the email for any kind of notification.
func BuildNotification(n notify.Notification) (*Message, error) {
	switch n.Kind {
	case notify.KindResult:
		if n.Prediction == nil {
			return nil, fmt.Errorf("a result without a prediction")
		}
		return Build(n.Prediction, n.Raw, BuildOptions{Notes: n.Notes})
	case notify.KindSummary:
		return BuildSummary(n.Title, n.Lines)
	case notify.KindAlert:
		if n.Alert == nil {
			return nil, fmt.Errorf("an alert without its details")
		}
		return BuildAlert(*n.Alert)
	}
	return nil, fmt.Errorf("unknown notification kind %d", n.Kind)
}
