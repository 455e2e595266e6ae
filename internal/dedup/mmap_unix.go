//go:build linux || darwin || freebsd

package dedup

import (
	"syscall"
	"unsafe"
)

// mapSlots returns n zeroed slots in memory mapped from the system, outside
// the Go heap, and the mapping to give to unmapSlots; when mapping fails,
// slots on the heap and a nil mapping.
func mapSlots(n int) ([]uint64, []byte) {
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]uint64, n), nil
	}
	mappedBytes.Add(int64(len(b)))
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n), b
}

// unmapSlots returns a mapping of mapSlots to the system.
func unmapSlots(b []byte) {
	if b == nil {
		return
	}
	mappedBytes.Add(-int64(len(b)))
	_ = syscall.Munmap(b)
}
