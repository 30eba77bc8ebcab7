package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// EmbeddedURL is the pool URL (and GOMP_CLUSTER value) of this machine's
// embedded server; mp.WithCluster("") means it too.
const EmbeddedURL = "embedded"

// Embedded is this machine's embedded cluster server: the first pool that
// asks for it (mp.WithCluster("")) starts it, on loopback only, with nkey
// credentials and its store in the user's cache directory. The process
// that started it owns it (a kernel's interpreter; a lock file says so)
// and stops it with Close, at its shutdown. Another process that asks
// while the owner lives joins the owner's server. Workers on this machine
// find it through the credentials the owner writes under the user's
// config directory (EmbeddedDirs): `gomp worker --join` with no URL.
type Embedded struct {
	// ConfigDir and CacheDir override EmbeddedDirs (tests).
	ConfigDir, CacheDir string

	mu   sync.Mutex
	s    *Server
	lock *os.File
}

// EmbeddedDirs returns where the embedded server's credentials
// (gomp/cluster/embedded in the user's config directory) and its store
// and lock (gomp/cluster/embedded in the user's cache directory) live.
func EmbeddedDirs() (config, cache string, err error) {
	c, err := os.UserConfigDir()
	if err != nil {
		return "", "", fmt.Errorf("embedded cluster: find the config directory: %w", err)
	}
	k, err := os.UserCacheDir()
	if err != nil {
		return "", "", fmt.Errorf("embedded cluster: find the cache directory: %w", err)
	}
	return filepath.Join(c, "gomp", "cluster", "embedded"), filepath.Join(k, "gomp", "cluster", "embedded"), nil
}

// dirs returns e's config and cache directories.
func (e *Embedded) dirs() (config, cache string, err error) {
	if e.ConfigDir != "" && e.CacheDir != "" {
		return e.ConfigDir, e.CacheDir, nil
	}
	return EmbeddedDirs()
}

// EmbeddedWorkerCreds returns the worker credentials of this machine's
// embedded server, for `gomp worker --join` with no URL.
func EmbeddedWorkerCreds(configDir string) (Creds, error) {
	path := CredsFile(configDir, DefaultGroup, RoleWorker)
	c, err := ReadCreds(path)
	if errors.Is(err, os.ErrNotExist) {
		return Creds{}, fmt.Errorf("no embedded cluster on this machine (no %s): it starts with the first pool a notebook makes with mp.WithCluster(\"\") or GOMP_CLUSTER=embedded; or run gomp cluster serve and join its URL", path)
	}
	return c, err
}

// notebookCreds returns the credentials a pool joins the embedded server
// with, starting the server if no process owns it.
func (e *Embedded) notebookCreds() (Creds, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.s != nil {
		return e.s.Creds(DefaultGroup, RoleNotebook)
	}
	config, cache, err := e.dirs()
	if err != nil {
		return Creds{}, err
	}
	if err := os.MkdirAll(cache, 0o700); err != nil {
		return Creds{}, fmt.Errorf("embedded cluster: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(cache, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return Creds{}, fmt.Errorf("embedded cluster: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return othersCreds(config)
		}
		return Creds{}, fmt.Errorf("embedded cluster: lock %s: %w", cache, err)
	}
	// The port of the last server, if free, so that workers of a
	// restarted kernel reconnect.
	listen := "127.0.0.1:0"
	if c, err := ReadCreds(CredsFile(config, DefaultGroup, RoleWorker)); err == nil {
		if addr := strings.TrimPrefix(c.URL, "nats://"); strings.HasPrefix(addr, "127.0.0.1:") {
			if l, err := net.Listen("tcp", addr); err == nil {
				l.Close()
				listen = addr
			}
		}
	}
	s, err := Serve(ServerOptions{Listen: listen, StoreDir: filepath.Join(cache, "store"), NoToken: true, CredsDir: config})
	if err != nil {
		lock.Close()
		return Creds{}, fmt.Errorf("embedded cluster: %w", err)
	}
	c, _ := s.Creds(DefaultGroup, RoleNotebook)
	// Tasks left by pools of a kernel that died with the last server run
	// for nobody: drop them.
	if nc, js, err := connect(c, "gomp embedded"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if st, err := js.Stream(ctx, streamName); err == nil {
			st.Purge(ctx)
		}
		cancel()
		nc.Close()
	}
	e.s, e.lock = s, lock
	return c, nil
}

// othersCreds returns the notebook credentials of an embedded server
// another process owns, once it accepts connections (it may be starting).
func othersCreds(config string) (Creds, error) {
	path := CredsFile(config, DefaultGroup, RoleNotebook)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := ReadCreds(path)
		if err == nil {
			var conn net.Conn
			conn, err = net.DialTimeout("tcp", strings.TrimPrefix(c.URL, "nats://"), time.Second)
			if err == nil {
				conn.Close()
				return c, nil
			}
		}
		if time.Now().After(deadline) {
			return Creds{}, fmt.Errorf("embedded cluster: another process owns it but it does not answer: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Running returns the server this process owns, nil if none.
func (e *Embedded) Running() *Server {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.s
}

// Close stops the server if this process owns it, and lets another
// process start one.
func (e *Embedded) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.s != nil {
		e.s.Shutdown()
		e.s = nil
	}
	if e.lock != nil {
		e.lock.Close()
		e.lock = nil
	}
}
