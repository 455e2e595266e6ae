package listener

// dedup remembers the last n webhook-ids, evicting the oldest. It is not
// safe for concurrent use; Listener.mu guards it.
type dedup struct {
	ids  map[string]struct{}
	ring []string
	next int
}

func newDedup(n int) *dedup {
	return &dedup{ids: make(map[string]struct{}, n), ring: make([]string, n)}
}

func (d *dedup) has(id string) bool {
	_, ok := d.ids[id]
	return ok
}

func (d *dedup) add(id string) {
	if d.has(id) {
		return
	}
	if old := d.ring[d.next]; old != "" {
		delete(d.ids, old)
	}
	d.ring[d.next] = id
	d.ids[id] = struct{}{}
	d.next = (d.next + 1) % len(d.ring)
}
