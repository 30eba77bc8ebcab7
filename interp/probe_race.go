//go:build race

package interp

// raceEnabled makes the probe check a compiled call with an atomic load
// (slower), so that the race detector sees no unsynchronised read.
const raceEnabled = true
