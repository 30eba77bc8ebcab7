package kernel

import "sync"

// digestHistorySize is how many signatures the kernel remembers, as
// jupyter_client's Session.digest_history_size.
const digestHistorySize = 1 << 16

// digestHistory is a bounded set of the signatures of messages received,
// shared by the sockets that decode: a signed message seen before is a
// replay (jupyter_client's Session keeps the same history and rejects
// duplicates). Past its size the oldest signatures are forgotten, so a
// message can be replayed only after that many newer ones.
type digestHistory struct {
	mu    sync.Mutex
	size  int
	set   map[string]struct{}
	order []string // the signatures in set, a ring once full: oldest at next
	next  int
}

// newDigestHistory returns an empty history of up to size signatures.
func newDigestHistory(size int) *digestHistory {
	return &digestHistory{size: max(size, 1), set: make(map[string]struct{})}
}

// add records sig and reports whether it was new.
func (h *digestHistory) add(sig string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.set[sig]; dup {
		return false
	}
	h.set[sig] = struct{}{}
	if len(h.order) < h.size {
		h.order = append(h.order, sig)
		return true
	}
	delete(h.set, h.order[h.next])
	h.order[h.next] = sig
	h.next = (h.next + 1) % h.size
	return true
}
