package ngroktest

import "strings"

// messages are the service's texts for the refusals the fake can give,
// after the real ones. The real service quotes the authtoken back in 105 and
// 107, so the fake does too: callers must keep it out of their own errors.
var messages = map[string]string{
	"ERR_NGROK_105": "The authtoken you specified does not look like a proper ngrok authtoken.\n" +
		"Your authtoken: {token}\n" +
		"Instructions to install your authtoken are on your ngrok dashboard:\n" +
		"https://dashboard.ngrok.com/get-started/your-authtoken",
	"ERR_NGROK_107": "The authtoken you specified is properly formed, but it is invalid.\n" +
		"Your authtoken: {token}\n" +
		"Go to your ngrok dashboard and double check that your authtoken is correct:\n" +
		"https://dashboard.ngrok.com/get-started/your-authtoken",
	"ERR_NGROK_108": "Your account is limited to 1 simultaneous ngrok agent sessions.\n" +
		"You can view your current agent sessions in the dashboard:\n" +
		"https://dashboard.ngrok.com/agents",
	"ERR_NGROK_4018": "Usage of ngrok requires a verified account and authtoken.\n" +
		"Sign up for an account: https://dashboard.ngrok.com/signup\n" +
		"Install your authtoken: https://dashboard.ngrok.com/get-started/your-authtoken",
	"ERR_NGROK_334": "The endpoint '{url}' is already online. Either\n" +
		"1. stop your existing endpoint first, or\n" +
		"2. start both endpoints with `--pooling-enabled` to load balance between them.",
}

// refusal renders a refusal as the service sends it: the message, a blank
// line, then the code, which the agent finds with the regexp ERR_NGROK_\d+.
func refusal(code, token, url string) string {
	msg, ok := messages[code]
	if !ok {
		msg = "The fake ngrok service refused the request."
	}
	msg = strings.NewReplacer("{token}", token, "{url}", url).Replace(msg)
	return msg + "\n\n" + code + "\n"
}
