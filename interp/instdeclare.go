package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"slices"
	"strconv"
	"strings"
)

// newInstances returns the pending instances the notebook has not
// declared yet and removes them from pending: with ready, those ready
// says yes to; the others stay pending.
func (s *Session) newInstances(ready func(instDecl) bool) []instDecl {
	var out, keep []instDecl
	for _, d := range s.checker.pending {
		r := s.recordOf(d.Name)
		switch {
		case d.Text == "" && ready(d):
			// A compiled instance: only its import is declared.
			out = append(out, d)
		case d.Text != "" && r != nil && r.Text == d.Text || slices.ContainsFunc(out, func(o instDecl) bool { return o.Name == d.Name }):
		case ready(d):
			out = append(out, d)
		default:
			keep = append(keep, d)
		}
	}
	s.checker.pending = keep
	return out
}

// declareInstances declares the pending instances whose type arguments
// do not name what the cell itself declares (items, after prepare); the
// others are declared with the cell's declarations (instancesWith).
func (s *Session) declareInstances(items []item) error {
	declared := map[string]bool{}
	for _, it := range items {
		if it.kind == declItem {
			for _, n := range it.defines {
				declared[n] = true
			}
		}
	}
	ds := s.newInstances(func(d instDecl) bool {
		return !s.changedInstance(d) && !slices.ContainsFunc(d.Deps, func(n string) bool { return declared[n] })
	})
	if len(ds) == 0 {
		return nil
	}
	if err := s.instanceImports(ds); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("package main;")
	for _, d := range ds {
		if d.Text != "" {
			b.WriteString(lineDirective(instanceCell, 1, 1) + d.Text + "\n")
		}
	}
	if err := s.evalFile(s.yi, b.String()); err != nil {
		// The interpreter rejects a copy: the cell's uses stay as
		// written, and the interpreter says what it says about them.
		s.log.Debug("declare the generated instances", "name", ds[0].Name, "err", err)
		s.dropInstances(ds)
		return nil
	}
	s.recordInstances(ds)
	return nil
}

// dropInstances forgets the facts that name the instances ds.
func (s *Session) dropInstances(ds []instDecl) {
	names := map[string]bool{}
	for _, d := range ds {
		names[d.Name] = true
	}
	facts := make(map[string]fact, len(s.checker.facts))
	for k, f := range s.checker.facts {
		if f.Kind != factInstance || !names[f.Value] {
			facts[k] = f
		}
	}
	s.checker.facts = facts
}

// instancesWith returns the declarations of the pending instances that
// name what decls declare, to be compiled with them, and those
// instances, to record once they are.
func (s *Session) instancesWith(decls []ast.Decl, items []item) ([]ast.Decl, []instDecl, error) {
	if len(s.checker.pending) == 0 {
		return nil, nil, nil
	}
	names := map[string]bool{}
	for _, it := range items {
		if it.kind == declItem && slices.Contains(decls, it.decl) {
			for _, n := range it.defines {
				names[n] = true
			}
		}
	}
	ds := s.newInstances(func(d instDecl) bool {
		return !s.changedInstance(d) && slices.ContainsFunc(d.Deps, func(n string) bool { return names[n] })
	})
	if len(ds) == 0 {
		return nil, nil, nil
	}
	if err := s.instanceImports(ds); err != nil {
		return nil, nil, err
	}
	var b strings.Builder
	b.WriteString("package main;")
	for _, d := range ds {
		if d.Text != "" {
			b.WriteString(lineDirective(instanceCell, 1, 1) + d.Text + "\n")
		}
	}
	f, err := parser.ParseFile(s.yi.FileSet(), physicalFile, b.String(), parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, fmt.Errorf("parse the generated instances: %w", err)
	}
	return f.Decls, ds, nil
}

// instanceImports imports the packages ds name, under their pkgAlias
// names.
func (s *Session) instanceImports(ds []instDecl) error {
	for _, d := range ds {
		for _, p := range d.Imports {
			spec := importSpec{Name: pkgAlias(p), Path: p}
			s.stateMu.RLock()
			has := slices.Contains(s.imports, spec)
			s.stateMu.RUnlock()
			if has {
				continue
			}
			if !s.load(s.yi, p) {
				return fmt.Errorf("the generated instance %s imports %q, which the interpreter lacks", d.Name, p)
			}
			if err := s.evalFile(s.yi, "package main; import "+spec.Name+" "+strconv.Quote(p)); err != nil {
				return fmt.Errorf("import %q for %s: %w", p, d.Name, err)
			}
			s.setState(func() { s.imports = append(s.imports, spec) })
		}
	}
	return nil
}

// recordInstances records the declared instances ds.
func (s *Session) recordInstances(ds []instDecl) {
	for _, d := range ds {
		if d.Text != "" {
			s.addRecord(instanceRecord(d))
		}
	}
}

// instanceRecords returns the pending instances as records, for a
// rebuild that declares them with the cell's declarations they name,
// and empties pending.
func (s *Session) instanceRecords() []record {
	ds := s.newInstances(func(instDecl) bool { return true })
	if err := s.instanceImports(ds); err != nil {
		s.log.Debug("import for the generated instances", "err", err)
	}
	var rs []record
	for _, d := range ds {
		if d.Text != "" {
			rs = append(rs, instanceRecord(d))
		}
	}
	return rs
}

// instanceRecord is the record of the declared instance d.
func instanceRecord(d instDecl) record {
	tok := "func"
	switch {
	case strings.HasPrefix(d.Text, "type "):
		tok = "type"
	case strings.HasPrefix(d.Text, "const "):
		tok = "const"
	}
	return record{Names: []string{d.Name}, Tok: tok, Cell: instanceCell, Line: 1, Col: 1, Text: d.Text, Instance: d.Instance}
}

// changedInstance reports whether d is a new version of a declared
// instance (a type instance made again because the cell changed its
// generic type): it replaces the old one in a rebuild, as a type declared
// again does (prepare), since the interpreter cannot declare a type twice.
func (s *Session) changedInstance(d instDecl) bool {
	r := s.recordOf(d.Name)
	return d.Text != "" && r != nil && r.Text != d.Text
}
