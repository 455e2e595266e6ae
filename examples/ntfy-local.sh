#!/usr/bin/env bash
# Push notifications to a local ntfy server (or anything that speaks ntfy's
# publish API): run a prediction offline that fails, and get a high-priority
# push with the model, the error, the last log lines and a link.
#
#   docker run -p 8090:80 binwiederhier/ntfy serve     # a local ntfy server
#   ntfy subscribe http://127.0.0.1:8090/notifier-demo  # or open it in a browser
#   go install ./cmd/notifier && bash examples/ntfy-local.sh
#
# NTFY_HOST (default 127.0.0.1:8090) and NTFY_TOPIC (default notifier-demo)
# choose the server and the topic. ?disabletls=yes speaks plain HTTP to it;
# for ntfy.sh itself drop it, and pick a topic nobody can guess: the topic
# is the secret (notifier never prints it).
set -uo pipefail

host="${NTFY_HOST:-127.0.0.1:8090}"
topic="${NTFY_TOPIC:-notifier-demo}"
# The URL goes through the environment, so the topic stays off the command line.
export NOTIFIER_NOTIFY="ntfy://$host/$topic?disabletls=yes"

notifier notify-test || exit $?

code=0
notifier run --simulate outcome=error sleep=0.2 --notify-on failed,canceled,aborted || code=$?
case "$code" in
3) echo "ntfy-local: the prediction failed, as planned; the push went to $host" ;;
5) echo "ntfy-local: the push could not be sent to $host" >&2 ;;
*) echo "ntfy-local: notifier exited $code" >&2 ;;
esac
[ "$code" = 3 ]
