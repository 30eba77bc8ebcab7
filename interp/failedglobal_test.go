package interp

import (
	"context"
	"testing"
)

// TestFailedDefinitionKeepsGlobalsUsable checks what reads the notebook's
// globals without running code, after a top-level := whose new name yaegi
// had added to the scope before the compile failed.
func TestFailedDefinitionKeepsGlobalsUsable(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Execute(ctx, "x := 1", IO{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, "z := x + notDeclared", IO{}); err == nil {
		t.Fatal("a cell using an undefined name compiled")
	}
	for _, tc := range []struct {
		name string
		use  func() bool
	}{
		{"inspect", func() bool { _, ok := s.Inspect("x", 1, 0); return ok }},
		{"complete", func() bool { m, _, _ := s.Complete("x", 1); return len(m) > 0 }},
		{"snapshot", func() bool { b, err := s.Snapshot(); return err == nil && len(b) > 0 }},
		{"define", func() bool { _, err := s.Execute(ctx, "y := 2", IO{}); return err == nil }},
		{"value", func() bool { v, err := s.Execute(ctx, "x + y", IO{}); return err == nil && v.Text == "3" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panicked: %v", r)
				}
			}()
			if !tc.use() {
				t.Error("failed")
			}
		})
	}
}
