package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/tunnel"
)

// completionShells are the shells `notifier completion` writes scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// shellList is "bash, zsh, fish or powershell".
func shellList() string {
	n := len(completionShells)
	return strings.Join(completionShells[:n-1], ", ") + " or " + completionShells[n-1]
}

func newCompletionCmd(f *factory) *cobra.Command {
	var noDesc bool
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script for notifier",
		Long: `Print the script that lets your shell complete notifier's commands, flags and
the values of --tunnel, --events, --email-on and the like. Load it once in the
current shell, or install it for every new one:

  bash        source <(notifier completion bash)
              notifier completion bash > ~/.local/share/bash-completion/completions/notifier
              (needs the bash-completion package)
  zsh         source <(notifier completion zsh)
              notifier completion zsh > "${fpath[1]}/_notifier"
              (needs compinit: autoload -U compinit; compinit in ~/.zshrc)
  fish        notifier completion fish | source
              notifier completion fish > ~/.config/fish/completions/notifier.fish
  powershell  notifier completion powershell | Out-String | Invoke-Expression
              (add that line to your $PROFILE for every session)

Start a new shell after installing.`,
		Example: `  source <(notifier completion bash)
  notifier run --tunnel <TAB>          # ngrok  none
  notifier run --events start,<TAB>    # start,output  start,logs  start,completed`,
		ValidArgs: completionShells,
		Args:      completionArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeCompletion(cmd.Root(), f.IO.Out, args[0], !noDesc)
		},
	}
	cmd.Flags().BoolVar(&noDesc, "no-descriptions", false, "Leave out the descriptions shown beside the commands, flags and values offered.")
	return cmd
}

// completionArgs wants exactly one known shell; anything else is a usage
// error that names the shells, so `notifier completion > file` never writes
// help text into a completion file.
func completionArgs(_ *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return usageErrorf("completion needs a shell: %s", shellList())
	case len(args) > 1:
		return usageErrorf("completion takes one shell, not %d arguments: %s", len(args), shellList())
	case !slices.Contains(completionShells, args[0]):
		return usageErrorf("unknown shell %q: want %s", args[0], shellList())
	}
	return nil
}

// writeCompletion writes root's completion script for shell to w.
func writeCompletion(root *cobra.Command, w io.Writer, shell string, desc bool) error {
	var err error
	switch shell {
	case "bash":
		err = root.GenBashCompletionV2(w, desc)
	case "zsh":
		if desc {
			err = root.GenZshCompletion(w)
		} else {
			err = root.GenZshCompletionNoDesc(w)
		}
	case "fish":
		err = root.GenFishCompletion(w, desc)
	case "powershell":
		if desc {
			err = root.GenPowerShellCompletionWithDesc(w)
		} else {
			err = root.GenPowerShellCompletion(w)
		}
	default:
		return usageErrorf("unknown shell %q: want %s", shell, shellList())
	}
	if err != nil {
		return fmt.Errorf("writing the %s completion script: %w", shell, err)
	}
	return nil
}

// flagValues are the flags whose values are one of a few words, by flag
// name, wherever a command defines them. list marks comma-separated lists.
type flagValues struct {
	list   bool
	values []cobra.Completion // "word" or "word\tdescription"
}

// valueFlags names the flags that registerValueCompletions completes.
// --notify-on takes the statuses of --email-on.
func valueFlags() map[string]flagValues {
	var statuses []cobra.Completion
	for _, s := range prediction.TerminalStatuses() {
		statuses = append(statuses, string(s))
	}
	return map[string]flagValues{
		"tunnel": {values: []cobra.Completion{
			cobra.CompletionWithDesc(string(tunnel.ModeNgrok), "the embedded ngrok tunnel (needs NGROK_AUTHTOKEN)"),
			cobra.CompletionWithDesc(string(tunnel.ModeNone), "no tunnel: the local address or --public-url"),
		}},
		"events": {list: true, values: []cobra.Completion{
			cobra.CompletionWithDesc(string(replicate.WebhookEventStart), "the prediction started"),
			cobra.CompletionWithDesc(string(replicate.WebhookEventOutput), "new output"),
			cobra.CompletionWithDesc(string(replicate.WebhookEventLogs), "new log lines"),
			cobra.CompletionWithDesc(string(replicate.WebhookEventCompleted), "the prediction finished"),
		}},
		"email-on":  {list: true, values: statuses},
		"notify-on": {list: true, values: statuses},
	}
}

// registerValueCompletions walks the command tree from root and, on every
// command that defines one of valueFlags (and gives it no completion of its
// own), makes shell completion offer its values. Call it once every
// command has been added.
func registerValueCompletions(root *cobra.Command) {
	flags := valueFlags()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for name, fv := range flags {
			if c.Flag(name) == nil {
				continue
			}
			if _, ok := c.GetFlagCompletionFunc(name); ok {
				continue // inherited from a parent already done, or the command's own
			}
			// Cannot fail: the flag exists and has no completion yet.
			_ = c.RegisterFlagCompletionFunc(name, fv.complete)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// complete offers the values that start with toComplete. For a list it
// completes the item after the last comma, offering only values not given
// yet, each after the items already typed ("start,out" -> "start,output"),
// and adds no space while more items could follow.
func (fv flagValues) complete(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	directive := cobra.ShellCompDirectiveNoFileComp
	prefix, current := "", toComplete
	var given []string
	if fv.list {
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			prefix, current = toComplete[:i+1], toComplete[i+1:]
			given = strings.Split(toComplete[:i], ",")
		}
	}
	var out []cobra.Completion
	for _, v := range fv.values {
		word, _, _ := strings.Cut(v, "\t")
		if !strings.HasPrefix(word, current) || slices.Contains(given, word) {
			continue
		}
		out = append(out, prefix+v)
	}
	if fv.list && len(given)+1 < len(fv.values) {
		directive |= cobra.ShellCompDirectiveNoSpace
	}
	return out, directive
}
