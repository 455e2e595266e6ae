package cli

import (
	"errors"
	"fmt"

	"github.com/notifier-dev/notifier/internal/watch"
)

// createError is the message for a create call that failed. A model given
// by name that cannot run (watch.ModelError) says what to do; anything else
// is apiError's. A model given by name runs through the official-models
// route, or else at its latest version (docs/replicate.md, "Requests").
func createError(err error) error {
	var me *watch.ModelError
	if !errors.As(err, &me) {
		return apiError("creating prediction", err)
	}
	model := clean(me.Model)
	if me.NotFound {
		return withHint(fmt.Errorf("creating prediction: model %s not found (HTTP 404)", model),
			"check the owner and name: the model's page is https://replicate.com/"+model)
	}
	return withHint(fmt.Errorf("creating prediction: %s is not an official model, and has no version to run", model),
		"run it as "+model+":VERSION, with a version from https://replicate.com/"+model+"/versions")
}
