// Package e2e holds gomp's end-to-end tests: they build the gomp binary from
// this tree once per test run, install its kernelspec in a private Jupyter
// data directory, and drive it with real clients from the test stack's
// Python virtual environment (jupyter_kernel_test, jupyter console,
// nbconvert, JupyterLab and Notebook in headless Chromium) and with
// `gomp run`.
//
// The package has no code outside its tests. Under `go test -short` every
// test skips, so `go test -short ./...` runs the unit tests alone; without
// -short a missing tool skips locally and fails in CI (CI set).
package e2e
