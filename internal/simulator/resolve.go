package simulator

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
)

var hexVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })

// hiddenVersion is the version a prediction of an official model reports
// when it was created by name (docs/replicate.md, "The prediction object").
const hiddenVersion = "hidden"

// runTarget is what a create call runs: a catalog model at a version, and
// the deployment it came through, if any.
type runTarget struct {
	model      *model
	version    string // 64-hex id, or hiddenVersion
	deployment string // "owner/name" of the deployment, or ""
}

// The create routes (docs/replicate.md, "Requests").
const (
	routeVersion    = iota // POST /v1/predictions, with "version" in the body
	routeModel             // POST /v1/models/{owner}/{name}/predictions
	routeDeployment        // POST /v1/deployments/{owner}/{name}/predictions
)

// createRoute is the route a create call came in on, and the owner/name of
// its path.
type createRoute struct {
	kind int
	name string
}

// resolvePath resolves the models and deployments routes from their path.
// The models route runs official models only: a community model, such as
// zeke/chaos-monkey, or a name the catalog does not know is a 404 there, as
// on Replicate (docs/simulator.md, "The catalog").
func (r createRoute) resolvePath() (runTarget, *problem) {
	switch r.kind {
	case routeModel:
		if m := findModel(r.name); m != nil && m.official {
			return runTarget{model: m, version: hiddenVersion}, nil
		}
	case routeDeployment:
		if d := findDeployment(r.name); d != nil {
			return runTarget{model: d.model, version: d.version, deployment: r.name}, nil
		}
	}
	return runTarget{}, notFound()
}

// resolveVersion resolves the "version" of POST /v1/predictions: a 64-hex
// version id, owner/name:id, or owner/name alone for an official model
// (docs/replicate.md, "Requests"). Anything else is a 422.
func resolveVersion(v string) (runTarget, *problem) {
	if hexVersion().MatchString(v) {
		if m := findVersion(v); m != nil {
			return runTarget{model: m, version: v}, nil
		}
		return runTarget{}, invalidVersion("The specified version does not exist (or perhaps you don't have permission to use it?)")
	}
	name, id, hasID := strings.Cut(v, ":")
	m := findModel(name)
	switch {
	case m == nil:
		return runTarget{}, invalidVersion("The specified version does not exist (or perhaps you don't have permission to use it?)")
	case !hasID && !m.official:
		return runTarget{}, invalidVersion(name + " is not an official model: give the version to run, as " + name + ":VERSION")
	case !hasID:
		return runTarget{model: m, version: hiddenVersion}, nil
	case m.version(id) == nil:
		return runTarget{}, invalidVersion("The specified version does not exist (or perhaps you don't have permission to use it?)")
	}
	return runTarget{model: m, version: id}, nil
}

func invalidVersion(detail string) *problem {
	return &problem{Title: titleInvalidVersion, Status: http.StatusUnprocessableEntity, Detail: detail}
}
