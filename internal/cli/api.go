package cli

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/notifier-dev/notifier/internal/simulator"
	"github.com/replicate/replicate-go"
)

// apiSession is the Replicate API a command talks to: the real one (configured
// from the environment, lazily, so commands that never call it need no token)
// or an in-process simulator.
type apiSession struct {
	Client func() (*replicate.Client, error)
	sim    *simulator.Simulator
}

// startAPI prepares the API; with simulate it starts a simulator on loopback.
func startAPI(io *IOStreams, getenv func(string) string, simulate bool, log *slog.Logger) (*apiSession, error) {
	if !simulate {
		return &apiSession{Client: sync.OnceValues(func() (*replicate.Client, error) {
			cfg, err := apiConfigFromEnv(getenv)
			if err != nil {
				return nil, err
			}
			return newAPIClient(cfg)
		})}, nil
	}
	sim, err := simulator.New(simulator.Config{OnEvent: func(e simulator.Event) {
		log.Debug("simulator: " + simEventLine(e))
	}})
	if err != nil {
		return nil, fmt.Errorf("starting simulator: %w", err)
	}
	base, err := sim.Start("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting simulator: %w", err)
	}
	newProgress(io).infof("simulator: Replicate-compatible API at %s (offline)", base)
	c, err := newAPIClient(apiConfig{Token: sim.Token(), BaseURL: base})
	return &apiSession{Client: func() (*replicate.Client, error) { return c, err }, sim: sim}, nil
}

// Close stops the simulator, if one was started.
func (a *apiSession) Close() error {
	if a.sim != nil {
		return a.sim.Close()
	}
	return nil
}
