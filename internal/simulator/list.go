package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// pageSize is how many predictions a list page holds (docs/replicate.md, "Requests").
const pageSize = 100

// listPage is the body of GET /v1/predictions. "previous" is always null:
// clients only follow "next".
type listPage struct {
	Next     *string           `json:"next"`
	Previous *string           `json:"previous"`
	Results  []json.RawMessage `json:"results"`
}

// handleList answers one page, newest first. The cursor in the next URL is
// the creation sequence number of the page's first (newest) prediction, so
// pages stay stable while new predictions are created.
func (s *Simulator) handleList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	start := len(s.order) - 1
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n >= len(s.order) {
			s.mu.Unlock()
			writeProblem(w, &problem{Title: titleBadRequest, Detail: "invalid cursor " + strconv.Quote(c), Status: http.StatusBadRequest})
			return
		}
		start = n
	}
	page := listPage{Results: []json.RawMessage{}}
	end := max(start-pageSize, -1)
	for i := start; i > end; i-- {
		page.Results = append(page.Results, s.order[i].snapshotLocked())
	}
	s.mu.Unlock()
	if end >= 0 {
		next := s.baseFor(r) + "/predictions?cursor=" + url.QueryEscape(strconv.Itoa(end))
		page.Next = &next
	}
	writeJSON(w, http.StatusOK, page)
}
