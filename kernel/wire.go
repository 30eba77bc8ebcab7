package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// protocolVersion is the Jupyter messaging protocol the kernel speaks.
const protocolVersion = "5.3"

const (
	// defaultMaxMessageSize bounds one incoming message
	// (Options.MaxMessageSize). The guarded transport enforces it before
	// zmq4 reads a frame (guard.go); decode checks it again.
	defaultMaxMessageSize = 32 << 20
	// defaultMaxFrames bounds the frames of one incoming message
	// (Options.MaxMessageFrames), enforced the same way. A Jupyter message
	// has 6 frames, plus routing identities and binary buffers.
	defaultMaxFrames = 4096
)

var (
	// errMalformed reports frames that are not a Jupyter message.
	errMalformed = errors.New("malformed message")
	// errBadSignature reports a message whose signature does not match.
	errBadSignature = errors.New("bad signature")
	// errReplayed reports a signed message the kernel has already received.
	errReplayed = errors.New("replayed message")
)

// delimiter separates the routing identities from the message proper.
var delimiter = []byte("<IDS|MSG>")

// header is a message header.
type header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// message is one Jupyter message, its JSON parts kept as raw bytes: content
// is decoded by the handler that knows its shape, and parent is echoed back
// byte for byte.
type message struct {
	ids       [][]byte // routing identities (ROUTER) or topic (PUB)
	header    header
	rawHeader json.RawMessage // header as received; the parent of our replies
	parent    json.RawMessage
	metadata  json.RawMessage
	content   json.RawMessage
	buffers   [][]byte
}

// codec turns frames into messages and back, signing with its signer.
type codec struct {
	signer    *signer
	maxSize   int            // total bytes of the frames after the identities; 0: defaultMaxMessageSize
	maxFrames int            // frames in all; 0: defaultMaxFrames
	seen      *digestHistory // signatures of messages decoded; nil: replays are not checked
}

// decode checks frames before trusting them: bounds first, then the
// signature over the raw bytes, then that the signature is new, and only
// then JSON. Errors wrap errMalformed, errBadSignature or errReplayed.
func (c codec) decode(frames [][]byte) (message, error) {
	if limit := orDefault(c.maxFrames, defaultMaxFrames); len(frames) > limit {
		return message{}, fmt.Errorf("%w: %d frames, more than the limit of %d", errMalformed, len(frames), limit)
	}
	i := 0
	for i < len(frames) && !bytes.Equal(frames[i], delimiter) {
		i++
	}
	if i == len(frames) {
		return message{}, fmt.Errorf("%w: %d frames and no <IDS|MSG> delimiter", errMalformed, len(frames))
	}
	if len(frames)-i < 6 {
		return message{}, fmt.Errorf("%w: %d frames after <IDS|MSG>, want at least 5", errMalformed, len(frames)-i-1)
	}
	limit := c.maxSize
	if limit <= 0 {
		limit = defaultMaxMessageSize
	}
	size := 0
	for _, f := range frames[i+1:] {
		size += len(f)
	}
	if size > limit {
		return message{}, fmt.Errorf("%w: %d bytes, more than the limit of %d", errMalformed, size, limit)
	}
	parts := [4][]byte{frames[i+2], frames[i+3], frames[i+4], frames[i+5]}
	if !c.signer.verify(frames[i+1], parts) {
		return message{}, errBadSignature
	}
	// Unsigned messages (no key) all have the same empty signature; like
	// jupyter_client, only signed ones are checked for replay.
	if c.seen != nil && !c.signer.empty && !c.seen.add(string(frames[i+1])) {
		return message{}, errReplayed
	}
	m := message{
		ids:       frames[:i],
		rawHeader: parts[0],
		parent:    parts[1],
		metadata:  parts[2],
		content:   parts[3],
		buffers:   frames[i+6:],
	}
	names := [4]string{"header", "parent_header", "metadata", "content"}
	for k, p := range parts {
		if !utf8.Valid(p) {
			return message{}, fmt.Errorf("%w: %s is not UTF-8", errMalformed, names[k])
		}
		if !isObject(p) {
			return message{}, fmt.Errorf("%w: %s is not a JSON object", errMalformed, names[k])
		}
	}
	if err := json.Unmarshal(m.rawHeader, &m.header); err != nil {
		return message{}, fmt.Errorf("%w: header: %v", errMalformed, err)
	}
	if m.header.MsgType == "" {
		return message{}, fmt.Errorf("%w: header has no msg_type", errMalformed)
	}
	return m, nil
}

// encode lays m out as frames: identities, delimiter, signature, header,
// parent, metadata, content, buffers. m.rawHeader is ignored; the header is
// marshalled from m.header.
func (c codec) encode(m message) ([][]byte, error) {
	h, err := json.Marshal(m.header)
	if err != nil {
		return nil, fmt.Errorf("encode %s header: %w", m.header.MsgType, err)
	}
	parts := [4][]byte{h, orEmpty(m.parent), orEmpty(m.metadata), orEmpty(m.content)}
	frames := make([][]byte, 0, len(m.ids)+6+len(m.buffers))
	frames = append(frames, m.ids...)
	frames = append(frames, delimiter, c.signer.sign(parts))
	frames = append(frames, parts[:]...)
	return append(frames, m.buffers...), nil
}

// newMessage builds a message of type msgType from this kernel's session,
// in answer to parent (nil for none), with content marshalled to JSON.
func newMessage(session, msgType string, parent json.RawMessage, content any) (message, error) {
	c, err := json.Marshal(content)
	if err != nil {
		return message{}, fmt.Errorf("encode %s content: %w", msgType, err)
	}
	return message{
		header: header{
			MsgID:    uuid.NewString(),
			Session:  session,
			Username: "kernel",
			Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z07:00"),
			MsgType:  msgType,
			Version:  protocolVersion,
		},
		parent:  parent,
		content: c,
	}, nil
}

// orEmpty returns b, or an empty JSON object when b is empty.
func orEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// isObject reports whether b is valid JSON whose value is an object. It
// does not check that b is UTF-8, as JSON text must be (RFC 8259): decode
// does, since the header and parent header are copied byte for byte into
// replies, which clients decode strictly.
func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}
