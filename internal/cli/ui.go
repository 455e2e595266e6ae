package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/inspector"
)

// uiFlags are --ui and --ui-addr: the local web inspector.
type uiFlags struct {
	On   bool
	Addr string
}

func addUIFlags(cmd *cobra.Command, u *uiFlags, usage string) {
	fl := cmd.Flags()
	fl.BoolVar(&u.On, "ui", false, usage)
	fl.StringVar(&u.Addr, "ui-addr", inspector.DefaultAddr, "Address of the --ui page (implies --ui); loopback unless you bind elsewhere on purpose.")
}

// plan validates the flags: nil without --ui. --ui-addr implies --ui.
func (u uiFlags) plan(set func(string) bool) (*uiFlags, error) {
	if !u.On && !set("ui-addr") {
		return nil, nil
	}
	_, port, err := net.SplitHostPort(u.Addr)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return nil, usageError(fmt.Errorf("invalid --ui-addr %q: want host:port", u.Addr),
			"e.g. --ui-addr 127.0.0.1:4141 (this machine only)")
	}
	u.On = true
	return &u, nil
}

// startUI opens the inspector. A taken port is an error, never another port.
func startUI(u *uiFlags, cfg inspector.Config, pr *progress) (*inspector.Inspector, error) {
	cfg.Addr = u.Addr
	ui, err := inspector.Start(cfg)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, withHint(fmt.Errorf("serving the inspector on %s: the address is already in use", u.Addr),
			"another program, or another notifier --ui, serves on it: choose another port with --ui-addr, e.g. --ui-addr 127.0.0.1:4142")
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, withHint(fmt.Errorf("serving the inspector on %s: no interface of this machine has that address", u.Addr),
			"use --ui-addr 127.0.0.1:PORT")
	case err != nil:
		return nil, fmt.Errorf("serving the inspector on %s: %w", u.Addr, err)
	}
	if !ui.Loopback() {
		pr.warnf("the inspector on %s is reachable from other machines: it shows every delivery's headers and body", u.Addr)
	}
	return ui, nil
}

// loadHistory shows the deliveries of an existing --record file on the page.
func loadHistory(ui *inspector.Inspector, path string, pr *progress) {
	if err := ui.LoadHistory(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		pr.warnf("the inspector shows no earlier deliveries: %v", err)
	}
}

// closeUI stops the page within ctx.
func closeUI(ctx context.Context, ui *inspector.Inspector) {
	if ui != nil {
		_ = ui.Close(ctx)
	}
}
