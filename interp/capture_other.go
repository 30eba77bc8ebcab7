//go:build !linux

package interp

import "errors"

// capture is only implemented on Linux.
type capture struct{}

func startCapture(func() *cellState) (*capture, error) {
	return nil, errors.New("fd capture is only supported on Linux")
}

func (c *capture) close() error  { return nil }
func (c *capture) flush() error  { return nil }
func (c *capture) repair() error { return nil }
