package runner

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// nbgraderCell is the part of a cell's metadata.nbgrader that grading
// reads, as nbgrader's schema 3 writes it.
type nbgraderCell struct {
	Grade    bool     `json:"grade"`
	GradeID  string   `json:"grade_id"`
	Locked   bool     `json:"locked"`
	Solution bool     `json:"solution"`
	Points   *float64 `json:"points"`
	Checksum string   `json:"checksum"`
}

// nbgraderOf returns c's nbgrader metadata, and false when it has none
// (or none that parses, which nbgrader would also ignore).
func nbgraderOf(c *Cell) (nbgraderCell, bool) {
	raw, ok := c.Metadata["nbgrader"]
	if !ok {
		return nbgraderCell{}, false
	}
	var m nbgraderCell
	if err := json.Unmarshal(raw, &m); err != nil || m.GradeID == "" {
		return nbgraderCell{}, false
	}
	return m, true
}

// setNbgrader rewrites the fields of c's nbgrader metadata that m holds,
// keeping the others.
func setNbgrader(c *Cell, m nbgraderCell) {
	fields := map[string]any{}
	if raw, ok := c.Metadata["nbgrader"]; ok {
		json.Unmarshal(raw, &fields)
	}
	fields["grade"], fields["grade_id"], fields["locked"], fields["solution"] = m.Grade, m.GradeID, m.Locked, m.Solution
	if m.Points != nil {
		fields["points"] = *m.Points
	}
	if m.Checksum != "" {
		fields["checksum"] = m.Checksum
	}
	b, _ := json.Marshal(fields)
	c.Metadata = orEmpty(c.Metadata)
	c.Metadata["nbgrader"] = b
}

// locked is nbgrader's is_locked: grade cells that are not solutions are
// locked whatever the flag says; solutions never are.
func (m nbgraderCell) locked() bool {
	switch {
	case m.Solution:
		return false
	case m.Grade:
		return true
	}
	return m.Locked
}

// maxPoints is what a grade cell is worth.
func (m nbgraderCell) maxPoints() float64 {
	if m.Points == nil {
		return 0
	}
	return *m.Points
}

// checksum is nbgrader's compute_checksum for c with metadata m: the MD5
// of the source, the cell type, whether it is a grade, solution and
// locked cell (as Python prints booleans), its grade_id and, for a grade
// cell, its points as Python prints a float.
func checksum(c *Cell, m nbgraderCell) string {
	h := md5.New()
	h.Write([]byte(c.Source.String()))
	h.Write([]byte(c.Type))
	for _, b := range []bool{m.Grade, m.Solution, m.locked()} {
		h.Write([]byte(pyBool(b)))
	}
	h.Write([]byte(m.GradeID))
	if m.Grade {
		h.Write([]byte(pyFloat(m.maxPoints())))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// pyFloat is Python's str(float(f)) for the numbers points are: "2.0",
// "0.5", "1e+16".
func pyFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e16 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if i := strings.Index(s, "e"); i >= 0 && s[i+1] != '-' && s[i+1] != '+' {
		s = s[:i+1] + "+" + s[i+1:]
	}
	return s
}

// autoScore is nbgrader's determine_grade for an executed code grade cell:
// 0 when an output is an error or stderr text; the value of the first
// execute_result when it is a number from 0 to the cell's points (partial
// credit); the full points otherwise. It returns the score and, when the
// cell lost points, the reason.
func autoScore(c *Cell, max float64) (float64, string) {
	for _, o := range c.Outputs {
		switch {
		case o.OutputType == "error":
			return 0, errorLine(o)
		case o.OutputType == "stream" && o.Name == "stderr":
			return 0, "wrote to stderr: " + firstLine(o.Text.String())
		case o.OutputType == "execute_result":
			return partialScore(o, max)
		}
	}
	return max, ""
}

// partialScore reads a partial grade from a test cell's result, as
// nbgrader's get_partial_grade does: text/plain that parses as a number
// from 0 to max is the score; anything else earns max. (nbgrader stops
// autograding at a score above max; gomp caps it and says so.)
func partialScore(o Output, max float64) (float64, string) {
	g, err := strconv.ParseFloat(strings.TrimSpace(o.Data.Text("text/plain")), 64)
	switch {
	case err != nil || g < 0 || math.IsNaN(g):
		return max, ""
	case g > max:
		return max, "partial credit " + strconv.FormatFloat(g, 'g', -1, 64) + " is more than the cell's points"
	case g < max:
		return g, "partial credit"
	}
	return g, ""
}

// errorLine is an error output as one line: its name and the first line of
// its value.
func errorLine(o Output) string {
	return o.EName + ": " + firstLine(o.EValue)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
