package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestShippedNotebooksHaveCellIDs checks the notebooks in notebooks/ as
// they are stored: nbformat 4.5 with a valid id, unique in the notebook,
// on every cell, so that nbconvert runs them without inventing ids and
// jupyter trust can sign them.
func TestShippedNotebooksHaveCellIDs(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "notebooks", "*.ipynb"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks in notebooks/ (%v)", err)
	}
	valid := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var nb struct {
			Minor int `json:"nbformat_minor"`
			Cells []struct {
				ID *string `json:"id"`
			} `json:"cells"`
		}
		if err := json.Unmarshal(data, &nb); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if nb.Minor < 5 {
			t.Errorf("%s: nbformat_minor %d, want 5", p, nb.Minor)
		}
		seen := map[string]bool{}
		for i, c := range nb.Cells {
			if c.ID == nil || !valid.MatchString(*c.ID) || seen[*c.ID] {
				t.Errorf("%s: cell %d has a missing, invalid or repeated id", p, i)
				continue
			}
			seen[*c.ID] = true
		}
	}
}
