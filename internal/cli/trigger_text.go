package cli

import "strings"

// receiverHint says what to check when the receiver refused a webhook.
func receiverHint(answer, url string) string {
	switch {
	case strings.HasPrefix(answer, "error: "):
		return "check that the receiver is running and reachable at " + url
	case strings.HasPrefix(answer, "401 "), strings.HasPrefix(answer, "400 "), strings.HasPrefix(answer, "403 "):
		return "check that the receiver verifies with the same " + envWebhookSecret + " as trigger signs with"
	case strings.HasPrefix(answer, "404 "):
		return "check the path in --to"
	}
	return "the receiver must answer 2xx within a few seconds"
}

// triggerLine is the command that sends test webhooks to a listener at url:
// simulated for a local URL, which Replicate cannot reach; secretFromEnv
// says whether the listener verifies with REPLICATE_WEBHOOK_SECRET.
func triggerLine(url string, local, verify, secretFromEnv bool) string {
	switch {
	case !local:
		return "notifier trigger --to " + url
	case verify && secretFromEnv:
		return "notifier trigger --simulate --to " + url + "   (with the same " + envWebhookSecret + " exported)"
	case verify:
		return "notifier trigger --simulate --to " + url + "   (with " + envWebhookSecret + " set to your account's signing secret)"
	}
	return "notifier trigger --simulate --to " + url
}
