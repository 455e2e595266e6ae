package simulator

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	mrand "math/rand/v2"
	"sync"
)

// idAlphabet is what Replicate's prediction ids are made of (docs/replicate.md, "The prediction object").
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// seededRand is a locked random source: deterministic when built from a
// non-zero seed, else seeded from crypto/rand.
type seededRand struct {
	key [32]byte
	mu  sync.Mutex
	r   *mrand.Rand
}

// newSeededRand returns a source for seed; 0 means a random seed.
func newSeededRand(seed int64) *seededRand {
	var key [32]byte
	if seed == 0 {
		_, _ = rand.Read(key[:]) // crypto/rand.Read never fails (Go 1.24+)
	} else {
		binary.LittleEndian.PutUint64(key[:], uint64(seed))
	}
	return &seededRand{key: key, r: mrand.New(mrand.NewChaCha8(key))}
}

// derive returns an independent source for a purpose, such as one
// prediction's webhook ids, so that goroutines do not share draws and the
// sequence of each stays deterministic.
// It draws nothing from s.
func (s *seededRand) derive(purpose string) *seededRand {
	h := sha256.New()
	h.Write(s.key[:])
	h.Write([]byte(purpose))
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return &seededRand{key: key, r: mrand.New(mrand.NewChaCha8(key))}
}

// alnum returns n characters of idAlphabet.
func (s *seededRand) alnum(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[s.r.IntN(len(idAlphabet))]
	}
	return string(b)
}

// float64 returns a number in [0, 1).
func (s *seededRand) float64() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Float64()
}

// intN returns a number in [0, n).
func (s *seededRand) intN(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.IntN(n)
}

// reader returns an io.Reader of the source's bytes.
func (s *seededRand) reader() *randReader { return &randReader{s} }

type randReader struct{ s *seededRand }

func (r *randReader) Read(p []byte) (int, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	for i := range p {
		p[i] = byte(r.s.r.Uint32())
	}
	return len(p), nil
}
