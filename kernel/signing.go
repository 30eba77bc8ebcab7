package kernel

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// signer computes and checks the HMAC-SHA256 signature of a message, taken
// over its header, parent header, metadata and content frames as sent. An
// empty key means messages are not signed: the signature frame is empty on
// the way out and ignored on the way in, as jupyter_client does.
type signer struct {
	key   []byte
	pool  *sync.Pool // of hash.Hash; hmac.New allocates, signing is per message
	empty bool
}

// newSigner returns a signer for key.
func newSigner(key []byte) *signer {
	s := &signer{key: key, empty: len(key) == 0}
	s.pool = &sync.Pool{New: func() any { return hmac.New(sha256.New, s.key) }}
	return s
}

// sign returns the hex signature of parts (nil when unsigned).
func (s *signer) sign(parts [4][]byte) []byte {
	if s.empty {
		return nil
	}
	var sum [sha256.Size]byte
	s.mac(parts, sum[:0])
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum[:])
	return out
}

// verify reports whether sig is the signature of parts. The comparison is in
// constant time (hmac.Equal) so that a forger learns nothing from timing.
func (s *signer) verify(sig []byte, parts [4][]byte) bool {
	if s.empty {
		return true
	}
	var sum [sha256.Size]byte
	var want [2 * sha256.Size]byte
	s.mac(parts, sum[:0])
	hex.Encode(want[:], sum[:])
	return hmac.Equal(want[:], sig)
}

// mac appends the raw HMAC of parts to dst.
func (s *signer) mac(parts [4][]byte, dst []byte) []byte {
	h := s.pool.Get().(hash.Hash)
	h.Reset()
	for _, p := range parts {
		h.Write(p)
	}
	dst = h.Sum(dst)
	s.pool.Put(h)
	return dst
}
