package cluster

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// Roles of a credential in a group. A notebook may publish tasks on its
// group's pools; a worker may only take them, answer them and read
// snapshots: it cannot publish a task, nor change the task stream so that
// it would take messages from elsewhere.
const (
	RoleNotebook = "notebook"
	RoleWorker   = "worker"
)

// DefaultGroup is the group of credentials made without --group, and of
// the token: the NATS global account.
const DefaultGroup = "default"

// Creds is everything a client needs to join a cluster: where the server
// is, who the client is (an nkey seed, or the legacy shared token) and
// which certificate authority to trust when the server speaks TLS. gomp
// cluster serve writes one per group and role (CredsFile names them) as
// JSON, mode 0600: handing a file to someone hands them that role.
type Creds struct {
	URL   string `json:"url"`
	Group string `json:"group,omitempty"`
	Role  string `json:"role,omitempty"`
	Seed  string `json:"nkey_seed,omitempty"`
	Token string `json:"token,omitempty"`
	CA    string `json:"ca,omitempty"` // PEM certificates
}

// CredsFile is where the credentials of a group's role live in dir: at
// the top for DefaultGroup, in a directory named after any other group.
func CredsFile(dir, group, role string) string {
	if group == "" || group == DefaultGroup {
		return filepath.Join(dir, role+"-creds.json")
	}
	return filepath.Join(dir, group, role+"-creds.json")
}

// ReadCreds reads credentials: a JSON file written by Creds.Write, or a
// file that holds only a token (written by WriteCreds).
func ReadCreds(path string) (Creds, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Creds{}, fmt.Errorf("read cluster credentials: %w", err)
	}
	text := strings.TrimSpace(string(b))
	if text == "" {
		return Creds{}, fmt.Errorf("read cluster credentials: %s is empty", path)
	}
	if !strings.HasPrefix(text, "{") {
		return Creds{Token: text}, nil
	}
	var c Creds
	if err := json.Unmarshal(b, &c); err != nil {
		return Creds{}, fmt.Errorf("read cluster credentials %s: %w", path, err)
	}
	if c.Seed == "" && c.Token == "" {
		return Creds{}, fmt.Errorf("read cluster credentials %s: it holds neither an nkey seed nor a token", path)
	}
	return c, nil
}

// Write writes c to path, readable by its owner only.
func (c Creds) Write(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("write cluster credentials: %w", err)
	}
	return writePrivate(path, append(b, '\n'))
}

// WriteCreds writes token to path, readable by its owner only.
func WriteCreds(path, token string) error {
	return writePrivate(path, []byte(token+"\n"))
}

// writePrivate writes a secret: its directory and itself are its owner's
// only.
func writePrivate(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write cluster credentials: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write cluster credentials: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("write cluster credentials: %w", err)
	}
	return nil
}

// options are the NATS client options that present c.
func (c Creds) options() ([]nats.Option, error) {
	var opts []nats.Option
	switch {
	case c.Seed != "":
		kp, err := nkeys.FromSeed([]byte(c.Seed))
		if err != nil {
			return nil, fmt.Errorf("cluster credentials: nkey seed: %w", err)
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("cluster credentials: nkey seed: %w", err)
		}
		opts = append(opts, nats.Nkey(pub, kp.Sign))
	case c.Token != "":
		opts = append(opts, nats.Token(c.Token))
	}
	if c.CA != "" {
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(c.CA)) {
			return nil, errors.New("cluster credentials: the CA holds no PEM certificate")
		}
		opts = append(opts, nats.Secure(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}))
	}
	return opts, nil
}
