package workerbuild

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// snapshot is the part of interp's snapshot (its JSON) that the generator
// reads: the notebook's imports, declarations and variables. The values
// are read by the worker (compiledworker), not here.
type snapshot struct {
	Imports []importSpec `json:"imports"`
	Decls   []record     `json:"decls"`
	Vars    []variable   `json:"vars"`
}

type importSpec struct {
	Name string `json:"name,omitempty"`
	Path string `json:"path"`
}

type record struct {
	Names []string `json:"names"` // "f", "T", "T.M", "x"
	Tok   string   `json:"tok"`   // "func", "type", "var" or "const"
	Cell  string   `json:"cell"`
	Line  int      `json:"line"`
	Col   int      `json:"col"`
	Text  string   `json:"text"`
	// Instance is, for the interpreter's instance of a generic type, the
	// instance as Go writes it: the program declares the record's name
	// as an alias of it, since it compiles the generic declarations.
	Instance string `json:"instance,omitempty"`
}

type variable struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	// Value is the variable's value as mp.EncodeValue wrote it: the
	// generator reads only whether it carries a description of its type
	// or just the type's name (see carriedByName).
	Value []byte `json:"value,omitempty"`
}

// gompModule is the module path of gomp, whose packages a compiled worker
// may import (mp and display always, chart with the module cache).
const gompModule = "github.com/gomp-kernel/gomp"

// program is a generated worker: its notebook file and its main file,
// and whether it needs gomp's module requirements (chart's plotting
// library) besides the standard library.
type program struct {
	notebook, main string
	needsModules   bool
}

// unit is one piece of the notebook the closure walk can include: a
// declaration, or a variable declared by its type (a global whose value
// the snapshot carries).
type unit struct {
	text    string // the Go source to emit
	uses    map[string]bool
	names   []string
	owner   string // for a method, its receiver's type name
	tok     string
	generic bool   // a generic func or type: no table entry
	loop    string // "Loop" or "LoopErr" for a func whose chunks can run in one call
}

// generate writes the program of a compiled worker for targets: the
// transitive closure of the declarations they use, so that a function
// elsewhere in the notebook that the Go compiler rejects (yaegi is more
// lenient) does not stop the build.
func generate(st snapshot, targets []string) (program, error) {
	units, byName, methods, err := parseUnits(st)
	if err != nil {
		return program{}, err
	}
	imports := map[string]importSpec{}
	for _, im := range st.Imports {
		imports[localName(im)] = im
	}
	included := map[*unit]bool{}
	usedImports := map[string]bool{}
	var order []*unit
	var visit func(name string)
	include := func(u *unit) {
		if included[u] {
			return
		}
		included[u] = true
		order = append(order, u)
		for n := range u.uses {
			visit(n)
		}
		if u.tok == "type" {
			for _, n := range u.names {
				for _, m := range methods[n] {
					if !included[m] {
						included[m] = true
						order = append(order, m)
						for use := range m.uses {
							visit(use)
						}
					}
				}
			}
		}
	}
	visit = func(name string) {
		if u, ok := byName[name]; ok {
			include(u)
			return
		}
		if _, ok := imports[name]; ok {
			usedImports[name] = true
		}
	}
	for _, t := range targets {
		name, _, _ := strings.Cut(t, " ")
		if typ, meth, isMethod := strings.Cut(name, "."); isMethod {
			typ = strings.TrimSuffix(strings.TrimPrefix(typ, "(*"), ")")
			visit(typ)
			for _, m := range methods[typ] {
				if slices.Contains(m.names, typ+"."+meth) {
					include(m)
				}
			}
			continue
		}
		if _, ok := byName[name]; !ok {
			return program{}, fmt.Errorf("%s is not declared in the notebook", name)
		}
		visit(name)
	}
	var p program
	var nb strings.Builder
	nb.WriteString("package main\n\n")
	names := make([]string, 0, len(usedImports))
	for n := range usedImports {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		im := imports[n]
		im.Path = fullPath(im.Path)
		if err := importable(im.Path); err != nil {
			return program{}, err
		}
		if im.Path == gompModule+"/chart" {
			p.needsModules = true
		}
		fmt.Fprintf(&nb, "import %s %q\n", im.Name, im.Path)
	}
	for _, im := range st.Imports {
		if im.Name == "_" {
			fmt.Fprintf(&nb, "import _ %q\n", fullPath(im.Path))
		}
	}
	// Declarations in notebook order, so that a re-run reads the same.
	index := map[*unit]int{}
	for i, u := range units {
		index[u] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return index[order[i]] < index[order[j]] })
	var funcs, types, vars, loops []string
	for _, u := range order {
		nb.WriteString("\n")
		nb.WriteString(u.text)
		nb.WriteString("\n")
		for _, n := range u.names {
			if n == "_" || strings.Contains(n, ".") {
				continue
			}
			if n == "main" {
				return program{}, fmt.Errorf("the notebook declares %s, which a compiled worker's program declares itself", n)
			}
			switch {
			case u.tok == "func" && !u.generic && n != "init":
				funcs = append(funcs, n)
				if u.loop != "" {
					loops = append(loops, u.loop+"("+n+")")
				}
			case u.tok == "type" && !u.generic:
				types = append(types, n)
			case u.tok == "var":
				vars = append(vars, n)
				if err := carriable(st, n); err != nil {
					return program{}, err
				}
			}
		}
	}
	p.notebook = nb.String()
	p.main = mainFile(funcs, types, vars, loops)
	return p, nil
}

// mainFile is the program's main: the tables and the call into
// compiledworker. Its import name cannot collide with a notebook name.
func mainFile(funcs, types, vars, loops []string) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport gomp_compiledworker_ \"" + gompModule + "/mp/compiledworker\"\n\n")
	b.WriteString("func main() {\n\tgomp_compiledworker_.Main(gomp_compiledworker_.Tables{\n\t\tFuncs: map[string]any{\n")
	for _, n := range funcs {
		fmt.Fprintf(&b, "\t\t\t%q: %s,\n", n, n)
	}
	b.WriteString("\t\t},\n\t\tTypes: map[string]any{\n")
	for _, n := range types {
		fmt.Fprintf(&b, "\t\t\t%q: (*%s)(nil),\n", n, n)
	}
	b.WriteString("\t\t},\n\t\tVars: map[string]any{\n")
	for _, n := range vars {
		fmt.Fprintf(&b, "\t\t\t%q: &%s,\n", n, n)
	}
	b.WriteString("\t\t},\n\t\tLoops: map[string]any{\n")
	for _, l := range loops {
		name := l[strings.Index(l, "(")+1 : len(l)-1]
		fmt.Fprintf(&b, "\t\t\t%q: gomp_compiledworker_.%s,\n", name, l)
	}
	b.WriteString("\t\t},\n\t})\n}\n")
	return b.String()
}

// carriable reports whether the value of variable name can be restored in
// a compiled worker. A value whose type mp could not describe (a type that
// refers to itself) travels with the type's name only, which for a
// notebook type is the interpreter's name for it ("struct { ... Next
// *unsafe2.dummy }"), not the compiled worker's: the worker would get a
// zero value where an interpreted one gets the value, so it is refused.
func carriable(st snapshot, name string) error {
	for _, v := range st.Vars {
		if v.Name != name {
			continue
		}
		if typeName, ok := carriedByName(v.Value); ok && typeName != v.Type {
			return fmt.Errorf("variable %s holds a %s, whose value a compiled worker cannot rebuild (a type that refers to itself)", name, v.Type)
		}
	}
	return nil
}

// carriedByName returns the type name an encoded value carries instead of
// a description of its type: mp.EncodeValue writes a flag (a varint 0 or
// 1), then the description or the name (a varint length and the bytes).
func carriedByName(value []byte) (string, bool) {
	if len(value) < 2 || value[0] != 0 {
		return "", false
	}
	n, k := binary.Uvarint(value[1:])
	if k <= 0 || uint64(len(value)-1-k) < n {
		return "", false
	}
	return string(value[1+k : 1+k+int(n)]), true
}

// parseUnits parses the notebook's declarations and typed variables into
// units, indexed by the names they declare; methods are listed by their
// receiver's type.
func parseUnits(st snapshot) (units []*unit, byName map[string]*unit, methods map[string][]*unit, err error) {
	byName = map[string]*unit{}
	methods = map[string][]*unit{}
	typed := map[string]variable{}
	for _, v := range st.Vars {
		if v.Type != "" {
			typed[v.Name] = v
		}
	}
	untyped := map[string]bool{} // declared by a var record that is emitted whole
	fset := token.NewFileSet()
	for i := range st.Decls {
		r := &st.Decls[i]
		if r.Tok == "var" && allIn(r.Names, typed) {
			continue
		}
		if r.Instance != "" && len(r.Names) == 1 {
			r = &record{Names: r.Names, Tok: r.Tok, Cell: r.Cell, Line: r.Line, Col: r.Col, Text: "type " + r.Names[0] + " = " + r.Instance}
		}
		f, err := parser.ParseFile(fset, r.Cell, "package main;"+r.Text, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("parse %s: %w", strings.Join(r.Names, ", "), err)
		}
		u := &unit{text: lineDirective(r.Cell, r.Line, r.Col) + r.Text, names: r.Names, tok: r.Tok, uses: identsOf(f)}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				u.generic = d.Type.TypeParams != nil
				if d.Recv == nil && !u.generic {
					u.loop = loopOf(d.Type)
				}
				if d.Recv != nil && len(d.Recv.List) == 1 {
					u.owner = receiverType(d.Recv.List[0].Type)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.TypeParams != nil {
						u.generic = true
					}
				}
			}
		}
		units = append(units, u)
		if u.owner != "" {
			methods[u.owner] = append(methods[u.owner], u)
			continue
		}
		for _, n := range r.Names {
			byName[n] = u
			if r.Tok == "var" {
				untyped[n] = true
			}
		}
	}
	for _, v := range st.Vars {
		if v.Type == "" || untyped[v.Name] {
			continue
		}
		e, err := parser.ParseExpr(v.Type)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("variable %s: type %s: %w", v.Name, v.Type, err)
		}
		uses := map[string]bool{}
		collectIdents(e, uses)
		u := &unit{text: "var " + v.Name + " " + v.Type, names: []string{v.Name}, tok: "var", uses: uses}
		units = append(units, u)
		byName[v.Name] = u
	}
	return units, byName, methods, nil
}

func allIn(names []string, typed map[string]variable) bool {
	for _, n := range names {
		if _, ok := typed[n]; !ok {
			return false
		}
	}
	return true
}

// identsOf returns every identifier a file's declarations use: more than
// the top-level names they refer to (locals, fields), which only makes the
// closure larger, never wrong.
func identsOf(f *ast.File) map[string]bool {
	uses := map[string]bool{}
	for _, d := range f.Decls {
		collectIdents(d, uses)
	}
	return uses
}

func collectIdents(n ast.Node, uses map[string]bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			uses[id.Name] = true
		}
		return true
	})
}

// loopOf returns compiledworker's loop for a function of type ft: Loop for
// func(A) R, LoopErr for func(A) (R, error), "" for other shapes.
func loopOf(ft *ast.FuncType) string {
	one := func(fl *ast.FieldList) bool {
		return fl != nil && len(fl.List) == 1 && len(fl.List[0].Names) <= 1
	}
	if !one(ft.Params) {
		return ""
	}
	if _, variadic := ft.Params.List[0].Type.(*ast.Ellipsis); variadic {
		return ""
	}
	isError := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && id.Name == "error"
	}
	switch r := ft.Results; {
	case one(r) && !isError(r.List[0].Type):
		return "Loop"
	case r != nil && r.NumFields() == 2 && !isError(r.List[0].Type) && isError(r.List[len(r.List)-1].Type):
		return "LoopErr"
	}
	return ""
}

// receiverType returns the name of a method's receiver type.
func receiverType(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// localName is the name an import is known by in the notebook's code.
func localName(im importSpec) string {
	if im.Name != "" {
		return im.Name
	}
	p := im.Path
	if strings.HasPrefix(p, "gopkg.in/") {
		p, _, _ = strings.Cut(p, ".v")
	}
	base := path.Base(p)
	if len(base) > 1 && base[0] == 'v' {
		if _, err := strconv.Atoi(base[1:]); err == nil {
			base = path.Base(path.Dir(p))
		}
	}
	return strings.ReplaceAll(base, "-", "_")
}

// cellPackages are gomp's packages as cells import them ("mp"), which a
// build carries (see carried).
var cellPackages = []string{"mp", "display", "chart", "widgets", "check"}

// fullPath is the import path of a package as cells name it.
func fullPath(p string) string {
	if slices.Contains(cellPackages, p) {
		return gompModule + "/" + p
	}
	return p
}

// importable says whether a compiled worker can import path: the standard
// library and gomp's own packages, which the build carries with it.
func importable(p string) error {
	first, _, _ := strings.Cut(p, "/")
	switch {
	case !strings.Contains(first, "."):
		return nil
	case slices.Contains(cellPackages, strings.TrimPrefix(p, gompModule+"/")):
		return nil
	}
	return fmt.Errorf("compiled workers can import only the standard library and gomp's packages, not %s", p)
}

// lineDirective makes the positions of the text after it read
// cell:line:col, so that compiler messages and panics name the cell.
func lineDirective(cell string, line, col int) string {
	cell = strings.NewReplacer("*/", "*_/", "\n", " ").Replace(cell)
	return "/*line " + cell + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + "*/"
}

// parseSnapshot reads interp's snapshot.
func parseSnapshot(b []byte) (snapshot, error) {
	var st snapshot
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("decode snapshot: %w", err)
	}
	return st, nil
}
