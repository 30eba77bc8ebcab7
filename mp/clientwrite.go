package mp

import (
	"encoding/binary"
	"fmt"
)

// A socket client's requests are written in order through one buffer.
// Posts (Puts that want no answer) are only appended and a flusher
// goroutine writes whatever has piled up in one system call, so a producer
// streaming small items pays a write per batch rather than per item; that
// is what puts a Queue ahead of Python's, whose feeder thread batches the
// same way. A call writes the buffer out itself before waiting, and
// syncBrokers makes sure posts are applied before a worker reports a call
// done, so nothing is left in the buffer when a child exits normally.

// largeFrame is the size above which a frame is written directly instead
// of being copied into the buffer.
const largeFrame = 64 << 10

// enqueue appends a request frame to the buffer, or for a large one
// writes the buffer and the frame out at once.
func (c *client) enqueue(seq uint64, op kind, req []byte) error {
	if len(req) > maxFrame-frameHeader {
		return fmt.Errorf("request of %d bytes exceeds %d", len(req), maxFrame)
	}
	var h [frameHeader]byte
	binary.BigEndian.PutUint32(h[0:4], uint32(8+1+len(req)))
	binary.BigEndian.PutUint64(h[4:12], seq)
	h[12] = byte(op)
	if len(req) > largeFrame {
		c.wmu.Lock()
		defer c.wmu.Unlock()
		if err := c.writeLocked(); err != nil {
			return err
		}
		if _, err := c.nc.Write(h[:]); err != nil {
			return errBrokerGone
		}
		if _, err := c.nc.Write(req); err != nil {
			return errBrokerGone
		}
		return nil
	}
	c.bmu.Lock()
	c.buf = append(append(c.buf, h[:]...), req...)
	c.bmu.Unlock()
	return nil
}

// flush writes out everything enqueued so far.
func (c *client) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked()
}

// writeLocked swaps the buffer for the spare and writes it; c.wmu is
// held, so writes leave in the order they were enqueued.
func (c *client) writeLocked() error {
	c.bmu.Lock()
	b := c.buf
	c.buf = c.spare[:0]
	c.bmu.Unlock()
	if len(b) == 0 {
		c.spare = b
		return nil
	}
	_, err := c.nc.Write(b)
	if cap(b) <= 1<<20 {
		c.spare = b[:0]
	} else {
		c.spare = nil
	}
	if err != nil {
		return errBrokerGone
	}
	return nil
}

// kickFlusher wakes the flusher without waiting; c.mu is held, and
// stopFlusher has not run.
func (c *client) kickFlusher() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// stopFlusher stops the flusher and waits for it; closeClients calls it.
func (c *client) stopFlusher() {
	c.mu.Lock()
	c.stopped = true
	close(c.kick)
	c.mu.Unlock()
	<-c.flushed
}

// flusher writes posted frames until the client is closed. The client
// starts it when it dials and closeClients stops it.
func (c *client) flusher() {
	defer close(c.flushed)
	for range c.kick {
		if c.flush() != nil {
			return
		}
	}
}
