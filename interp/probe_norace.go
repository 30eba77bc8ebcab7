//go:build !race

package interp

// raceEnabled is false: the probe check reads the flag through a pointer,
// a plain read of a one-byte flag (see prober).
const raceEnabled = false
