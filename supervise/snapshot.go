package supervise

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
)

// Caps bound the variable values a snapshot carries for crash recovery.
// A value over Value bytes (as mp's codec encodes it) is not copied, nor
// are the values that would take the snapshot's total over Total; such
// variables are restored with their zero value and named as lost. The
// declarations and imports are always carried.
type Caps struct {
	Value int // bytes per variable; 0: DefaultCaps.Value
	Total int // bytes for all variables; 0: DefaultCaps.Total
}

// DefaultCaps are the caps of a zero Caps: 16 MB per value, 64 MB in all,
// which keeps the copy after a cell in the low milliseconds for ordinary
// notebooks and the kernel process's copy of the state small.
var DefaultCaps = Caps{Value: 16 << 20, Total: 64 << 20}

func (c Caps) value() int {
	if c.Value > 0 {
		return c.Value
	}
	return DefaultCaps.Value
}

func (c Caps) total() int {
	if c.Total > 0 {
		return c.Total
	}
	return DefaultCaps.Total
}

// snapVar is one variable of interp's snapshot (interp/snapshot.go's
// global, as JSON): the supervisor reads and writes only these fields.
type snapVar struct {
	Name  string  `json:"name"`
	Type  string  `json:"type,omitempty"`
	Value []byte  `json:"value,omitempty"`
	Err   *string `json:"err,omitempty"`
}

// snapSkipped is a variable whose value is not carried, and why.
type snapSkipped struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// snapState is interp's snapshot with the parts the supervisor does not
// look into kept as they are.
type snapState struct {
	Imports json.RawMessage `json:"imports"`
	Decls   json.RawMessage `json:"decls"`
	Vars    []snapVar       `json:"vars"`
	Skipped []snapSkipped   `json:"skipped,omitempty"`
}

// snapshotMsg is what changed after a cell: the imports and declarations
// whole, the names of all variables, the values of those that changed.
type snapshotMsg struct {
	Count int `json:"count"`
	// Same says that nothing changed since the last snapshot: the
	// message carries only Count.
	Same    bool            `json:"same,omitempty"`
	Imports json.RawMessage `json:"imports"`
	Decls   json.RawMessage `json:"decls"`
	Names   []string        `json:"names"`
	Changed []snapVar       `json:"changed,omitempty"`
	Skipped []snapSkipped   `json:"skipped,omitempty"`
}

// deltaState is the interpreter's memory of the last snapshot it sent: a
// hash per variable.
type deltaState struct {
	whole uint64 // hash of the last full snapshot
	sums  map[string]uint64
}

// delta turns a full snapshot into what changed since the last one,
// applying the total cap.
func (d *deltaState) delta(full []byte, count int, caps Caps) (snapshotMsg, error) {
	h := fnv.New64a()
	h.Write(full)
	whole := h.Sum64()
	if d.sums != nil && whole == d.whole {
		return snapshotMsg{Count: count, Same: true}, nil
	}
	d.whole = whole
	var st snapState
	if err := json.Unmarshal(full, &st); err != nil {
		return snapshotMsg{}, fmt.Errorf("decode snapshot: %w", err)
	}
	m := snapshotMsg{Count: count, Imports: st.Imports, Decls: st.Decls, Skipped: st.Skipped}
	sums := make(map[string]uint64, len(st.Vars))
	total := 0
	for _, v := range st.Vars {
		if total+len(v.Value) > caps.total() {
			m.Skipped = append(m.Skipped, snapSkipped{v.Name, fmt.Sprintf("over the %d MB in all that crash recovery keeps", caps.total()>>20)})
			v.Value = nil
		}
		total += len(v.Value)
		m.Names = append(m.Names, v.Name)
		h := fnv.New64a()
		h.Write([]byte(v.Type))
		h.Write([]byte{0})
		h.Write(v.Value)
		if v.Err != nil {
			h.Write([]byte{1})
			h.Write([]byte(*v.Err))
		}
		sum := h.Sum64()
		sums[v.Name] = sum
		if old, ok := d.sums[v.Name]; !ok || old != sum {
			m.Changed = append(m.Changed, v)
		}
	}
	d.sums = sums
	return m, nil
}

// held is the kernel process's copy of the notebook's state, as of the
// end of the last cell that succeeded.
type held struct {
	count   int // the cell it is as of; 0: none yet
	imports json.RawMessage
	decls   json.RawMessage
	names   []string
	vars    map[string]snapVar
	skipped []snapSkipped
}

// apply merges a snapshot message.
func (h *held) apply(m snapshotMsg) {
	if m.Same {
		h.count = m.Count
		return
	}
	if h.vars == nil {
		h.vars = map[string]snapVar{}
	}
	for _, v := range m.Changed {
		h.vars[v.Name] = v
	}
	keep := make(map[string]snapVar, len(m.Names))
	for _, n := range m.Names {
		if v, ok := h.vars[n]; ok {
			keep[n] = v
		}
	}
	h.count, h.imports, h.decls, h.names, h.vars, h.skipped = m.Count, m.Imports, m.Decls, m.Names, keep, m.Skipped
}

// empty reports whether there is nothing to restore.
func (h *held) empty() bool { return h.count == 0 }

// encode is the snapshot interp's Restore takes.
func (h *held) encode() ([]byte, error) {
	st := snapState{Imports: h.imports, Decls: h.decls, Skipped: h.skipped}
	for _, n := range h.names {
		if v, ok := h.vars[n]; ok {
			st.Vars = append(st.Vars, v)
		}
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode snapshot for restore: %w", err)
	}
	return b, nil
}

// summary says what a restore brings back: counts of declarations and
// variables, and the variables whose values are lost, with why.
func (h *held) summary() (decls, vars int, lost []string) {
	var ds []json.RawMessage
	_ = json.Unmarshal(h.decls, &ds)
	gone := map[string]bool{}
	for _, s := range h.skipped {
		lost = append(lost, fmt.Sprintf("%s (%s)", s.Name, firstLine(s.Reason)))
		gone[s.Name] = true
	}
	for _, n := range h.names {
		if !gone[n] {
			vars++
		}
	}
	return len(ds), vars, lost
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
