// Command notifier launches Replicate predictions and receives their webhooks.
package main

import (
	"os"

	"github.com/notifier-dev/notifier/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
