package listener

import "sync"

// budget bounds the bytes held by request bodies: those being read, and
// those of accepted deliveries until OnDelivery returns for them. It never
// waits: a reservation that does not fit fails, and the request is answered
// 503 "busy" at once, so that memory stays bounded however many senders
// there are.
type budget struct {
	mu    sync.Mutex
	limit int64
	used  int64
	peak  int64 // the most ever reserved at once, for tests
}

// reserve takes n bytes from the budget and reports whether they fitted.
func (b *budget) reserve(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.limit-b.used {
		return false
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	return true
}

// release returns n reserved bytes to the budget.
func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	if b.used < 0 {
		panic("listener: released more body bytes than reserved")
	}
}

// stats returns the bytes reserved now and the most ever reserved at once.
func (b *budget) stats() (used, peak int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak
}
