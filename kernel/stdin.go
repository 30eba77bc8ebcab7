package kernel

import (
	"encoding/json"
	"fmt"
)

// inputWait is an Input waiting for its input_reply.
type inputWait struct {
	msgID string      // of the input_request
	reply chan string // buffered: the stdin port never blocks on it
}

// input sends input_request on the stdin socket, to the identities of the
// cell's shell request (frontends give their shell and stdin sockets the
// same identity), and waits for the input_reply. One Input runs at a time.
func (s *Server) input(c *cell, prompt string, password bool) (string, error) {
	if !c.allowStdin {
		return "", ErrNoStdin
	}
	if c.finished.Load() {
		return "", fmt.Errorf("input requested after the cell finished: %w", ErrNoStdin)
	}
	s.inputMu.Lock()
	defer s.inputMu.Unlock()
	// The prompt must follow what the cell printed before asking.
	c.Flush()

	m, err := newMessage(s.session, "input_request", c.req.rawHeader, map[string]any{"prompt": prompt, "password": password})
	if err != nil {
		return "", err
	}
	m.ids = c.req.ids
	frames, err := s.codec.encode(m)
	if err != nil {
		return "", err
	}
	w := &inputWait{msgID: m.header.MsgID, reply: make(chan string, 1)}
	s.mu.Lock()
	s.waiting = w
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.waiting == w {
			s.waiting = nil
		}
		s.mu.Unlock()
	}()
	if err := s.stdin.send(c.ctx, frames); err != nil {
		return "", fmt.Errorf("send input_request: %w", ErrInterrupted)
	}
	select {
	case v := <-w.reply:
		return v, nil
	case <-c.ctx.Done():
		return "", ErrInterrupted
	}
}

// inputReply runs on the stdin port's goroutine for each message received
// there and hands an input_reply to the Input waiting for it. Replies to
// nothing (late, duplicated or forged) are logged and dropped.
func (s *Server) inputReply(frames [][]byte) {
	m, err := s.codec.decode(frames)
	if err != nil {
		s.log.Warn("dropped message", "socket", "stdin", "err", err)
		return
	}
	if m.header.MsgType != "input_reply" {
		s.log.Warn("ignored message on stdin", "msg_type", m.header.MsgType)
		return
	}
	var content struct {
		Value string `json:"value"`
	}
	var parent struct {
		MsgID string `json:"msg_id"`
	}
	if err := json.Unmarshal(m.content, &content); err != nil {
		s.log.Warn("dropped input_reply", "err", err)
		return
	}
	json.Unmarshal(m.parent, &parent)
	s.mu.Lock()
	w := s.waiting
	if w != nil && (parent.MsgID == "" || parent.MsgID == w.msgID) {
		s.waiting = nil
	} else {
		w = nil
	}
	s.mu.Unlock()
	if w == nil {
		s.log.Warn("dropped input_reply that no input is waiting for", "parent_msg_id", parent.MsgID)
		return
	}
	w.reply <- content.Value
}
