package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// platform is this process's GOOS/GOARCH, the platform of the compiled
// workers its kernel builds and of those a joined worker can run.
func platform() string { return runtime.GOOS + "/" + runtime.GOARCH }

// binaries opens (or makes) the store of compiled worker binaries. They
// are kept a day, as the snapshots are: a notebook's next build replaces
// them.
func binaries(ctx context.Context, js jetstream.JetStream) (jetstream.ObjectStore, error) {
	obs, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: binBucket, Storage: jetstream.FileStorage, TTL: 24 * time.Hour})
	if err != nil {
		return nil, fmt.Errorf("open compiled worker store: %w", err)
	}
	return obs, nil
}

// fileHash returns the hex SHA-256 of the file at path.
func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// usable says whether a joined worker of gomp version on this platform
// may run a compiled worker described by meta, and why not when it may
// not. A binary of another version or platform is never run: the task
// runs on an interpreted worker, and the worker says so.
func usable(meta map[string]string, version, plat string) (ok bool, why string) {
	switch {
	case meta[metaPlatform] != plat:
		return false, fmt.Sprintf("it was built for %s, this worker runs on %s", orUnknown(meta[metaPlatform]), plat)
	case meta[metaVersion] != version:
		return false, fmt.Sprintf("it was built by gomp %s, this worker is gomp %s", orUnknown(meta[metaVersion]), version)
	}
	return true, ""
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown one"
	}
	return s
}

// binaryCache is where a joined worker keeps the compiled workers it
// fetched: gomp/cluster-workers under the user's cache directory.
func binaryCache() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the cache directory for compiled workers: %w", err)
	}
	return filepath.Join(cache, "gomp", "cluster-workers"), nil
}

// fetchBinary returns the path of the compiled worker named name (its
// SHA-256) in dir, fetching it from obs first unless a copy whose content
// matches the name is there. A fetched copy is checked against the name
// before it is made executable and put in place.
func fetchBinary(ctx context.Context, obs jetstream.ObjectStore, dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	if h, err := fileHash(path); err == nil && h == name {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("fetch compiled worker %s: %w", name, err)
	}
	r, err := obs.Get(ctx, name)
	if err != nil {
		return "", fmt.Errorf("fetch compiled worker %s: %w", name, err)
	}
	defer r.Close()
	tmp, err := os.CreateTemp(dir, name+".part-*")
	if err != nil {
		return "", fmt.Errorf("fetch compiled worker %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(tmp, h), r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("fetch compiled worker %s: %w", name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != name {
		return "", fmt.Errorf("fetch compiled worker %s: content hashes to %s", name, got)
	}
	if err := os.Chmod(tmp.Name(), 0o755); err != nil {
		return "", fmt.Errorf("fetch compiled worker %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("fetch compiled worker %s: %w", name, err)
	}
	return path, nil
}
