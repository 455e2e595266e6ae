package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// pageSize is how many predictions a list page holds (docs/replicate.md, "Requests").
const pageSize = 100

// listPage is the body of GET /v1/predictions.
type listPage struct {
	Next     *string           `json:"next"`
	Previous *string           `json:"previous"`
	Results  []json.RawMessage `json:"results"`
}

// listFilter is what GET /v1/predictions keeps: created_after (inclusive),
// created_before (exclusive) and source, the query parameters of the
// OpenAPI predictions.list.
type listFilter struct {
	after, before time.Time
	source        string
	query         url.Values // the filters, for the next and previous links
}

// parseListFilter reads the filters. Replicate's schema allows only
// source=web; every prediction of the simulator comes from the API, so that
// filter leaves none.
func parseListFilter(q url.Values) (listFilter, *problem) {
	f := listFilter{query: url.Values{}}
	for _, k := range []string{"created_after", "created_before"} {
		v := q.Get(k)
		if v == "" {
			continue
		}
		t, ok := parseDateTime(v)
		if !ok {
			return f, &problem{Title: titleBadRequest, Status: http.StatusBadRequest,
				Detail: k + " must be an ISO 8601 date-time, such as 2025-01-01T00:00:00Z"}
		}
		if k == "created_after" {
			f.after = t
		} else {
			f.before = t
		}
		f.query.Set(k, v)
	}
	if v := q.Get("source"); v != "" {
		if v != "web" {
			return f, &problem{Title: titleBadRequest, Status: http.StatusBadRequest, Detail: `source must be "web"`}
		}
		f.source = v
		f.query.Set("source", v)
	}
	return f, nil
}

// parseDateTime reads an ISO 8601 date-time (RFC 3339, fraction optional)
// or a bare date, which means its midnight UTC.
func parseDateTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// keeps reports whether p passes the filter; Simulator.mu must be held.
func (f listFilter) keeps(p *prediction) bool {
	switch {
	case !f.after.IsZero() && p.created.Before(f.after):
		return false
	case !f.before.IsZero() && !p.created.Before(f.before):
		return false
	case f.source == "web": // every prediction here came from the API
		return false
	}
	return true
}

// handleList answers one page, newest first. A cursor is the creation
// sequence number where a page starts, so pages stay stable while new
// predictions are created; next and previous are absolute URLs carrying
// the filters (docs/replicate.md, "Requests").
func (s *Simulator) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, prob := parseListFilter(q)
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	s.mu.Lock()
	results, next, prev, prob := paginate(s.order, q.Get("cursor"), f.keeps, (*prediction).snapshotLocked)
	s.mu.Unlock()
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	page := listPage{Results: results}
	page.Next, page.Previous = s.pageURL(r, f, next), s.pageURL(r, f, prev)
	writeJSON(w, http.StatusOK, page)
}

// paginate picks one page, newest first, of the items that keep admits,
// starting at cursor: the sequence number where the page starts, "" for the
// newest, so pages stay stable while new items arrive. It returns the page
// and the cursors of the next (older) and previous (newer) pages, -1 for
// none, or a problem for an invalid cursor.
func paginate[T, R any](items []T, cursor string, keep func(T) bool, wire func(T) R) ([]R, int, int, *problem) {
	start := len(items) - 1
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 || n >= len(items) {
			return nil, -1, -1, &problem{Title: titleBadRequest, Detail: "invalid cursor " + strconv.Quote(cursor), Status: http.StatusBadRequest}
		}
		start = n
	}
	results := []R{}
	next, prev := -1, -1
	first := -1 // sequence number of the page's first (newest) result
	for i := start; i >= 0; i-- {
		if !keep(items[i]) {
			continue
		}
		if len(results) == pageSize {
			next = i
			break
		}
		if first < 0 {
			first = i
		}
		results = append(results, wire(items[i]))
	}
	// The previous page holds the pageSize kept items just newer than this
	// page's first; its cursor is the newest of them.
	for i, n := max(first, start)+1, 0; i < len(items) && n < pageSize; i++ {
		if keep(items[i]) {
			prev, n = i, n+1
		}
	}
	return results, next, prev, nil
}

// pageURL is the absolute link to the page starting at cursor, nil for -1.
func (s *Simulator) pageURL(r *http.Request, f listFilter, cursor int) *string {
	if cursor < 0 {
		return nil
	}
	q := url.Values{}
	for k, v := range f.query {
		q[k] = v
	}
	q.Set("cursor", strconv.Itoa(cursor))
	u := s.baseFor(r) + "/predictions?" + q.Encode()
	return &u
}
