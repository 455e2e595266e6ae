#!/usr/bin/env bash
# A nightly check for cron: run a few predictions of a model and email the
# team when any of them does not succeed. The exit code says how it went
# (0 passed, 3 failures, 5 the email could not be sent, 124 timed out).
#
#   # crontab: every night at 03:00
#   0 3 * * * REPLICATE_API_TOKEN=r8_... NGROK_AUTHTOKEN=... \
#     NOTIFIER_SMTP_URL='smtp://user:pass@smtp.example.com:587' \
#     NOTIFIER_EMAIL_FROM='notifier <alerts@example.com>' \
#     NOTIFY_EMAIL=team@example.com /path/to/nightly-check.sh
#
# Extra arguments are passed to notifier run (e.g. --public-url ...).
set -uo pipefail

model="${MODEL:-zeke/chaos-monkey:0098011f5f482d1fcdbbba44ef1d6d22858e439a103b6ebb449ef9dec623a71e}"
count="${COUNT:-5}"
to="${NOTIFY_EMAIL:?set NOTIFY_EMAIL to the address to alert}"

code=0
notifier run "$model" sleep=1 \
	--count "$count" --concurrency 2 --timeout 30m \
	--email-to "$to" --email-on failed,canceled,aborted \
	"$@" || code=$?

case "$code" in
0) echo "nightly check passed" ;;
3 | 4) echo "nightly check: predictions did not succeed; $to was emailed" >&2 ;;
5) echo "nightly check: the alert email could not be sent" >&2 ;;
*) echo "nightly check: notifier exited $code" >&2 ;;
esac
exit "$code"
