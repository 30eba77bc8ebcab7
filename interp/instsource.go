package interp

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sync"
)

// srcPkg is a standard package parsed and checked from its source.
type srcPkg struct {
	path string
	pkg  *types.Package
	info *types.Info
	fset *token.FileSet
	src  map[*token.File][]byte
	// notebook is set for the notebook's own package: its package-level
	// names are used, not copied (they are the notebook's), and become
	// the instance's deps.
	notebook bool
	decls    map[string]ast.Decl
	spec     map[string]*ast.TypeSpec
	// methods are the method declarations by receiver type name.
	methods map[string][]*ast.FuncDecl
	objAt   map[token.Pos]types.Object
	instAt  map[token.Pos]types.Instance
}

var srcPkgs = struct {
	mu sync.Mutex
	m  map[string]*srcPkg
}{m: map[string]*srcPkg{}}

// loadSrcPkg parses and checks the package at path from GOROOT, once per
// process.
func loadSrcPkg(path string) (*srcPkg, error) {
	srcPkgs.mu.Lock()
	defer srcPkgs.mu.Unlock()
	if p, ok := srcPkgs.m[path]; ok {
		if p == nil {
			return nil, fmt.Errorf("package %s could not be loaded from source", path)
		}
		return p, nil
	}
	p, err := parseSrcPkg(path)
	srcPkgs.m[path] = p
	return p, err
}

func parseSrcPkg(path string) (*srcPkg, error) {
	bp, err := build.Default.Import(path, "", 0)
	if err != nil {
		return nil, fmt.Errorf("find the source of %s: %w", path, err)
	}
	p := &srcPkg{path: path, fset: token.NewFileSet(), src: map[*token.File][]byte{}, decls: map[string]ast.Decl{}, spec: map[string]*ast.TypeSpec{}, methods: map[string][]*ast.FuncDecl{}}
	var files []*ast.File
	for _, name := range bp.GoFiles {
		fn := filepath.Join(bp.Dir, name)
		b, err := os.ReadFile(fn)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", fn, err)
		}
		f, err := parser.ParseFile(p.fset, fn, b, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", fn, err)
		}
		p.src[p.fset.File(f.Pos())] = b
		files = append(files, f)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					p.decls[d.Name.Name] = d
				} else if len(d.Recv.List) == 1 {
					t := recvTypeName(d.Recv.List[0].Type)
					p.methods[t] = append(p.methods[t], d)
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if ts, ok := sp.(*ast.TypeSpec); ok {
						p.decls[ts.Name.Name] = d
						p.spec[ts.Name.Name] = ts
					}
				}
			}
		}
	}
	p.info = &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}, Defs: map[*ast.Ident]types.Object{}, Instances: map[*ast.Ident]types.Instance{}}
	var cerr error
	stdTypes.use(func(imp types.Importer) {
		conf := &types.Config{Importer: imp, Error: func(error) {}}
		p.pkg, cerr = conf.Check(path, p.fset, files, p.info)
	})
	if cerr != nil {
		return nil, fmt.Errorf("check %s from source: %w", path, cerr)
	}
	p.objAt = map[token.Pos]types.Object{}
	for id, o := range p.info.Uses {
		p.objAt[id.Pos()] = o
	}
	for id, o := range p.info.Defs {
		if o != nil {
			p.objAt[id.Pos()] = o
		}
	}
	p.instAt = map[token.Pos]types.Instance{}
	for id, in := range p.info.Instances {
		p.instAt[id.Pos()] = in
	}
	return p, nil
}

// notebookSrc is the notebook's package as the checker saw it (files,
// with their texts, checked into pkg), for instances of its generic
// functions and types; nil without any.
func notebookSrc(fset *token.FileSet, pkg *types.Package, files []*ast.File, texts []string, infos []*types.Info) *srcPkg {
	p := &srcPkg{path: "main", pkg: pkg, fset: fset, notebook: true, src: map[*token.File][]byte{}, decls: map[string]ast.Decl{}, spec: map[string]*ast.TypeSpec{}, methods: map[string][]*ast.FuncDecl{}, objAt: map[token.Pos]types.Object{}, instAt: map[token.Pos]types.Instance{}}
	for i, f := range files {
		p.src[fset.File(f.Pos())] = []byte(texts[i])
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				switch {
				case d.Body == nil:
				case d.Recv == nil && d.Type.TypeParams != nil:
					p.decls[d.Name.Name] = d
				case genericRecv(d):
					t := recvTypeName(d.Recv.List[0].Type)
					p.methods[t] = append(p.methods[t], d)
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if ts, ok := sp.(*ast.TypeSpec); ok && ts.TypeParams != nil {
						p.decls[ts.Name.Name] = d
						p.spec[ts.Name.Name] = ts
					}
				}
			}
		}
	}
	if len(p.decls) == 0 {
		return nil
	}
	p.info = infos[0]
	for _, info := range infos {
		for id, o := range info.Uses {
			p.objAt[id.Pos()] = o
		}
		for id, o := range info.Defs {
			if o != nil {
				p.objAt[id.Pos()] = o
			}
		}
		for id, in := range info.Instances {
			p.instAt[id.Pos()] = in
		}
		if p.info != info {
			for e, tv := range info.Types {
				p.info.Types[e] = tv
			}
		}
	}
	return p
}

// genericRecv reports whether fd is a method of a generic type (its
// receiver's type has type parameters).
func genericRecv(fd *ast.FuncDecl) bool {
	if fd.Recv == nil || len(fd.Recv.List) != 1 {
		return false
	}
	switch recvBase(fd.Recv.List[0].Type).(type) {
	case *ast.IndexExpr, *ast.IndexListExpr:
		return true
	}
	return false
}
