package e2e

import "testing"

// TestJupyterCrash makes a cell kill the kernel with a fatal Go runtime
// error (concurrent map writes) through a real Jupyter client: the process
// exits instead of hanging, the report is in the kernel's log, and the
// restarted kernel shows it on the first cell's stderr, once; runaway
// recursion is a cell error and the session lives on.
func TestJupyterCrash(t *testing.T) { runPythonSuite(t, "test_crash") }
