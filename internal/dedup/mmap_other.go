//go:build !(linux || darwin || freebsd)

package dedup

// mapSlots returns n slots on the heap: this system's tables are not mapped.
func mapSlots(n int) ([]uint64, []byte) { return make([]uint64, n), nil }

func unmapSlots([]byte) {}
