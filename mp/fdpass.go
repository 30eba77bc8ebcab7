package mp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// A pipe end is a file descriptor, and a descriptor crosses to another
// process over a unix socket (SCM_RIGHTS). When a process sends an end as
// an argument, its broker keeps a duplicate under a token; the receiving
// process dials the broker, asks for the token, and gets its own
// descriptor, after which the broker closes the duplicate. The duplicate
// keeps the end open in between, so the sender may Close its copy right
// after NewProcess, as Python's examples do.

// lendFD keeps a duplicate of fd for another process and returns its
// token.
func (b *broker) lendFD(fd int) (uint64, error) {
	dup, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return 0, fmt.Errorf("duplicate pipe end: %w", errno)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		syscall.Close(int(dup))
		return 0, errBrokerGone
	}
	b.nextID++
	b.lent[b.nextID] = int(dup)
	return b.nextID, nil
}

// serveFD answers a fetch on connection nc, whose first frame asked for
// token: it sends the descriptor and closes its duplicate.
func (b *broker) serveFD(nc net.Conn, token uint64) {
	b.mu.Lock()
	fd, ok := b.lent[token]
	delete(b.lent, token)
	b.mu.Unlock()
	uc, isUnix := nc.(*net.UnixConn)
	if !ok || !isUnix {
		nc.Write([]byte{0})
		return
	}
	uc.WriteMsgUnix([]byte{1}, syscall.UnixRights(fd), nil)
	syscall.Close(fd)
}

// closeLent closes the duplicates nobody fetched; close calls it.
func (b *broker) closeLent() {
	for tok, fd := range b.lent {
		syscall.Close(fd)
		delete(b.lent, tok)
	}
}

// fetchFD gets the descriptor lent under token by the broker at path.
func fetchFD(path string, token uint64) (*os.File, error) {
	nc, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("fetch pipe end: the process that sent it has ended: %w", err)
	}
	defer nc.Close()
	req := body(nil).uint(token)
	c := newConn(nc, nc)
	if err := c.send(frame{Kind: opFetchFD, Body: req}); err != nil {
		return nil, fmt.Errorf("fetch pipe end: %w", err)
	}
	buf, oob := make([]byte, 1), make([]byte, syscall.CmsgSpace(4))
	n, oobn, _, _, err := nc.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, fmt.Errorf("fetch pipe end: %w", err)
	}
	if n != 1 || buf[0] != 1 {
		return nil, errors.New("fetch pipe end: it was already taken or its sender has ended")
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("fetch pipe end: bad control message: %v", err)
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, fmt.Errorf("fetch pipe end: bad rights: %v", err)
	}
	return os.NewFile(uintptr(fds[0]), "mp-pipe"), nil
}
