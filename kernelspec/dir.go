package kernelspec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Scope says which Jupyter data directory a kernelspec goes to.
type Scope int

// The scopes `gomp install` accepts, as jupyter kernelspec install does.
const (
	User      Scope = iota // --user: $JUPYTER_DATA_DIR or ~/.local/share/jupyter
	SysPrefix              // --sys-prefix: the active virtualenv or conda prefix, else /usr/local
	Prefix                 // --prefix DIR
)

// Dir returns the "kernels" directory for scope. prefix is used by Prefix
// only. The rules are jupyter_core's on Linux, so `jupyter kernelspec list`
// finds what Install writes there.
func Dir(scope Scope, prefix string) (string, error) {
	switch scope {
	case User:
		if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
			return filepath.Join(d, "kernels"), nil
		}
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "jupyter", "kernels"), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the user's Jupyter directory: %w", err)
		}
		return filepath.Join(home, ".local", "share", "jupyter", "kernels"), nil
	case SysPrefix:
		for _, env := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
			if d := os.Getenv(env); d != "" {
				return filepath.Join(d, "share", "jupyter", "kernels"), nil
			}
		}
		return filepath.Join("/usr/local", "share", "jupyter", "kernels"), nil
	case Prefix:
		if prefix == "" {
			return "", errors.New("--prefix needs a directory")
		}
		return filepath.Join(prefix, "share", "jupyter", "kernels"), nil
	}
	return "", fmt.Errorf("unknown kernelspec scope %d", scope)
}
