package cli

// Environment variables notifier reads (docs/usage.md, "Environment").
// Secrets come only from here.
const (
	envAPIToken      = "REPLICATE_API_TOKEN"
	envBaseURL       = "REPLICATE_BASE_URL"
	envWebhookSecret = "REPLICATE_WEBHOOK_SECRET"
	envNgrokToken    = "NGROK_AUTHTOKEN"
	envNgrokDomain   = "NGROK_DOMAIN"
	envSMTPURL       = "NOTIFIER_SMTP_URL"
	envEmailFrom     = "NOTIFIER_EMAIL_FROM"
	envNotify        = "NOTIFIER_NOTIFY"
	envNotifySecret  = "NOTIFIER_NOTIFY_SECRET"
	envNoColor       = "NO_COLOR"
	envCliColor      = "CLICOLOR"
	envCliColorForce = "CLICOLOR_FORCE"
)

// defaultBaseURL is Replicate's API, including /v1 as REPLICATE_BASE_URL does.
const defaultBaseURL = "https://api.replicate.com/v1"

// envHelp documents the environment for --help and docs/usage.md.
var envHelp = []struct{ name, meaning string }{
	{envAPIToken, "Replicate API token (required unless --simulate)"},
	{envBaseURL, "API base URL including /v1 (default " + defaultBaseURL + ")"},
	{envWebhookSecret, "webhook signing secret whsec_... (default: fetched with the token)"},
	{envNgrokToken, "ngrok authtoken for --tunnel ngrok (the default)"},
	{envNgrokDomain, "reserved ngrok domain to serve on (optional)"},
	{envSMTPURL, "SMTP server for --email-to: smtp://user:pass@host:587, smtps://...:465, smtp://host:25?tls=none"},
	{envEmailFrom, "sender address for --email-to"},
	{envNotify, "notification URLs, space separated, as --notify takes them (keeps tokens off the command line)"},
	{envNotifySecret, "whsec_... secret that signs generic:// notification webhooks (required for them)"},
	{envNoColor, "disable colour"},
	{envCliColor, "0 disables colour"},
	{envCliColorForce, "force colour on stdout and stderr even when they are not terminals"},
}
