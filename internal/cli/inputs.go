package cli

import (
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/notifier-dev/notifier/internal/watch"
)

// defaultModel is the model run when none is given (docs/replicate.md,
// "The model zeke/chaos-monkey").
const defaultModel = "zeke/chaos-monkey:0098011f5f482d1fcdbbba44ef1d6d22858e439a103b6ebb449ef9dec623a71e"

var (
	versionIDPattern  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })
	deploymentPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	})
	modelPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9_.-]*)/([A-Za-z0-9][A-Za-z0-9_.-]*)(?::([0-9a-f]{64}))?$`)
	})
)

// target is what a prediction is created for: a version id, or a model by name.
type target struct {
	Owner, Name string // empty for a bare version id
	Version     string // empty to use the model's latest (official models route)
}

// String renders the target as the user would write it.
func (t target) String() string {
	switch {
	case t.Owner == "":
		return t.Version
	case t.Version == "":
		return t.Owner + "/" + t.Name
	}
	return t.Owner + "/" + t.Name + ":" + t.Version
}

// parseTarget accepts owner/name[:version] or a 64-hex version id.
func parseTarget(s string) (target, error) {
	if versionIDPattern().MatchString(s) {
		return target{Version: s}, nil
	}
	m := modelPattern().FindStringSubmatch(s)
	if m == nil {
		return target{}, usageErrorf("invalid model %q: want owner/name, owner/name:VERSION (64 hex digits) or a version id", s)
	}
	return target{Owner: m[1], Name: m[2], Version: m[3]}, nil
}

// parseInputs turns KEY=VALUE pairs into a prediction input. A value that parses
// as a JSON number, boolean, object or array is sent as JSON, any other as a
// string; @PATH is a local file (a *fileRef, sent as a URL by sendFiles), and
// @@ stands for a literal @.
func parseInputs(pairs []string) (map[string]any, error) {
	input := make(map[string]any, len(pairs))
	for _, p := range pairs {
		key, value, ok := strings.Cut(p, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, usageErrorf("invalid input %q: want KEY=VALUE", p)
		}
		if _, dup := input[key]; dup {
			return nil, usageErrorf("input %q given twice", key)
		}
		v, err := fileOrValue(key, value)
		if err != nil {
			return nil, err
		}
		if n, ok := outOfRange(v); ok {
			return nil, usageErrorf("invalid input %q: the number %s is beyond what a 64-bit float holds; quote it to send a string", key, n)
		}
		input[key] = v
	}
	return input, nil
}

// outOfRange finds a number in v that a float64 cannot hold, such as 1e400:
// the API would take it, but its answer, which echoes the input, could not
// be decoded.
func outOfRange(v any) (json.Number, bool) {
	switch v := v.(type) {
	case json.Number:
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return v, true
		}
	case map[string]any:
		for _, x := range v {
			if n, ok := outOfRange(x); ok {
				return n, true
			}
		}
	case []any:
		for _, x := range v {
			if n, ok := outOfRange(x); ok {
				return n, true
			}
		}
	}
	return "", false
}

func inputValue(s string) any {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber() // keep numbers exactly as typed, e.g. 0.5 or 10000000000000001
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return s
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return s // something follows the value: "1]", "[1]]"
	}
	switch v.(type) {
	case json.Number, bool, map[string]any, []any:
		return v
	}
	return s
}

// splitArgs separates an optional leading MODEL from KEY=VALUE inputs.
func splitArgs(args []string) (model string, inputs []string) {
	if len(args) > 0 && !strings.Contains(args[0], "=") {
		return args[0], args[1:]
	}
	return "", args
}

// parseRequest validates a command line's model or deployment, inputs and
// events into the prediction to create; model "" is the default model,
// unless a deployment ("owner/name") is given, which takes its place. It
// returns the model, or deployment, as shown in messages.
func parseRequest(model, deployment string, inputs, events []string) (string, watch.Request, error) {
	var req watch.Request
	if deployment != "" {
		if model != "" {
			return "", watch.Request{}, usageErrorf("give a MODEL or --deployment, not both: a deployment runs its own model")
		}
		if !deploymentPattern().MatchString(deployment) {
			return "", watch.Request{}, usageErrorf("invalid --deployment %q: want owner/name", deployment)
		}
		model, req.Deployment = deployment, deployment
	} else {
		if model == "" {
			model = defaultModel
		}
		t, err := parseTarget(model)
		if err != nil {
			return "", watch.Request{}, err
		}
		req.Owner, req.Name, req.Version = t.Owner, t.Name, t.Version
	}
	var err error
	if req.Input, err = parseInputs(inputs); err != nil {
		return "", watch.Request{}, err
	}
	if req.Events, err = parseEvents(events); err != nil {
		return "", watch.Request{}, err
	}
	return model, req, nil
}
