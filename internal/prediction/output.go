package prediction

import (
	"net/url"
	"slices"
	"strings"
)

// Strings returns an output list's items when every one is a string: the
// tokens a language model streamed, or a list of file URLs.
func Strings(list []any) ([]string, bool) {
	strs := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, false
		}
		strs = append(strs, s)
	}
	return strs, true
}

// IsLink reports whether s is an absolute http or https URL with a host:
// the only kind of output notifier shows as a link (never javascript:,
// and data: only where a caller allows it).
func IsLink(s string) bool {
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// WalkStrings calls f for every string in a decoded output, in order:
// the output itself, the items of lists, and the values of objects by key
// order, at any depth.
func WalkStrings(out any, f func(string)) {
	switch v := out.(type) {
	case string:
		f(v)
	case []any:
		for _, x := range v {
			WalkStrings(x, f)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			WalkStrings(v[k], f)
		}
	}
}
