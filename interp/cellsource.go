package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gomp-kernel/gomp/interp/symbols"
)

// gomp's own packages that cells import (mp, display, chart, widgets,
// check) have no export data the go command could list: gomp may run
// where its source is not. The kernel hands the checker their source
// (Options.Sources, the tree main embeds for compiled workers), and
// cellSources type-checks a package from it the first time a cell
// imports it, once per process. So a cell that misuses mp gets go/types'
// message at its line (`*mp.Value[int]`: "mp.Value is not a generic
// type") instead of yaegi's crash, and lowerings see mp's types.

// gompModule is the module path of gomp's packages.
const gompModule = "github.com/gomp-kernel/gomp"

// gompDir returns the directory, in gomp's module, of the package that a
// cell or gomp's own source imports as path: "mp" or
// "github.com/gomp-kernel/gomp/mp" is mp. ok is false for other packages.
func gompDir(path string) (dir string, ok bool) {
	if _, cell := symbols.Packages[path]; cell {
		return path, true
	}
	return strings.CutPrefix(path, gompModule+"/")
}

// cellSources type-checks gomp's packages from their source. A cell
// package is checked under the path cells import it by ("mp"), so that
// the notebook's mp and the mp that widgets imports are one package;
// others keep their full path. Cells see a cell package through a view
// holding only what the interpreter's symbols have (mp.SetHost, the
// kernel's wiring, is exported in Go but not to cells). Its methods run
// with the export importer locked (exportImporter.Import).
type cellSources struct {
	fsys   fs.FS
	fset   *token.FileSet
	pkgs   map[string]*types.Package // by directory
	views  map[string]*types.Package // cells' views, by directory
	failed map[string]error          // by directory
}

// newCellSources returns a checker of the packages in fsys, a tree laid
// out as gomp's module.
func newCellSources(fsys fs.FS) *cellSources {
	return &cellSources{fsys: fsys, fset: token.NewFileSet(), pkgs: map[string]*types.Package{},
		views: map[string]*types.Package{}, failed: map[string]error{}}
}

// cellView returns the package a cell gets for dir: for a cell package,
// its objects the interpreter's symbols hold (and the unexported ones,
// which cells cannot name anyway), sharing them with the package, so
// that types stay identical; for others, the package.
func (c *cellSources) cellView(dir string, std types.Importer, list func([]string)) (*types.Package, error) {
	pkg, err := c.importDir(dir, std, list)
	if err != nil {
		return nil, err
	}
	syms, ok := symbols.Symbols[symbols.Packages[dir]]
	if !ok {
		return pkg, nil
	}
	if v, ok := c.views[dir]; ok {
		return v, nil
	}
	view := types.NewPackage(pkg.Path(), pkg.Name())
	for _, name := range pkg.Scope().Names() {
		if o := pkg.Scope().Lookup(name); !o.Exported() || syms[name].IsValid() {
			view.Scope().Insert(o)
		}
	}
	view.SetImports(pkg.Imports())
	view.MarkComplete()
	c.views[dir] = view
	return view, nil
}

// stdImports returns the packages outside gomp's module that the cell
// packages' files import (their import clauses only; nothing is checked).
func (c *cellSources) stdImports() []string {
	var paths []string
	for cell := range symbols.Packages {
		entries, err := fs.ReadDir(c.fsys, cell)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := fs.ReadFile(c.fsys, path.Join(cell, name))
			if err != nil {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
			if err != nil {
				continue
			}
			for _, im := range f.Imports {
				if p, err := strconv.Unquote(im.Path.Value); err == nil {
					if _, gomp := gompDir(p); !gomp && !slices.Contains(paths, p) {
						paths = append(paths, p)
					}
				}
			}
		}
	}
	return paths
}

// errImportCycle guards a package whose check imports it again.
var errImportCycle = errors.New("import cycle")

// importDir returns the package in dir, checking it the first time;
// std imports the standard library, and list lists packages ahead of
// that (one go command for all of a package's imports).
func (c *cellSources) importDir(dir string, std types.Importer, list func([]string)) (*types.Package, error) {
	if p, ok := c.pkgs[dir]; ok {
		return p, nil
	}
	if err, ok := c.failed[dir]; ok {
		return nil, err
	}
	c.failed[dir] = errImportCycle
	p, err := c.check(dir, std, list)
	if err != nil {
		c.failed[dir] = err
		return nil, err
	}
	delete(c.failed, dir)
	c.pkgs[dir] = p
	return p, nil
}

// check parses and type-checks the package in dir (its files but the
// tests; gomp's packages have no build constraints).
func (c *cellSources) check(dir string, std types.Importer, list func([]string)) (*types.Package, error) {
	entries, err := fs.ReadDir(c.fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var files []*ast.File
	var imports []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(c.fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		f, err := parser.ParseFile(c.fset, path.Join(gompModule, dir, name), src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
		for _, im := range f.Imports {
			if p, err := strconv.Unquote(im.Path.Value); err == nil {
				if _, gomp := gompDir(p); !gomp {
					imports = append(imports, p)
				}
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no Go files in %s", dir)
	}
	list(imports)
	pkgPath := gompModule + "/" + dir
	if _, cell := symbols.Packages[dir]; cell {
		pkgPath = dir
	}
	conf := types.Config{Importer: importerFunc(func(p string) (*types.Package, error) {
		if d, ok := gompDir(p); ok {
			return c.importDir(d, std, list)
		}
		return std.Import(p)
	})}
	pkg, err := conf.Check(pkgPath, c.fset, files, nil)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", dir, err)
	}
	return pkg, nil
}

// importerFunc is a func as a types.Importer.
type importerFunc func(path string) (*types.Package, error)

// Import implements types.Importer.
func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
