package symbols

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"strings"
)

// Doc is the documentation of one exported name of a package: its
// declaration as Go source and its doc comment (the comment's text, as
// go/doc keeps it, not yet formatted).
type Doc struct {
	Decl string
	Doc  string
}

// Docs maps the import path cells use for each of gomp's packages (a key
// of Packages) to the documentation of its names, for inspection where
// the source is absent. Names are "" (the package), "Name", "Type.Method"
// and "Type.Field". The generated docs.go fills it in its init.
var Docs = map[string]map[string]Doc{}

// maxGroup is the largest const or var group shown whole for one of its
// names; a name of a larger group shows alone.
const maxGroup = 16

// DirDocs parses the Go package in dir (the files that build for this
// GOOS and GOARCH, without tests) and returns the documentation of its
// exported names, as Docs holds it. Package builtin keeps its lower-case
// names.
func DirDocs(dir, importPath string) (map[string]Doc, error) {
	bp, err := build.Default.ImportDir(dir, 0)
	if err != nil {
		return nil, fmt.Errorf("read package %s: %w", importPath, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse package %s: %w", importPath, err)
		}
		files = append(files, f)
	}
	var mode doc.Mode
	if importPath == "builtin" {
		mode = doc.AllDecls
	}
	pkg, err := doc.NewFromFiles(fset, files, importPath, mode)
	if err != nil {
		return nil, fmt.Errorf("read documentation of %s: %w", importPath, err)
	}
	return PackageDocs(fset, pkg), nil
}

// PackageDocs lists the documentation of pkg's names, as Docs holds it.
func PackageDocs(fset *token.FileSet, pkg *doc.Package) map[string]Doc {
	out := map[string]Doc{"": {
		Decl: "package " + pkg.Name + " // import " + fmt.Sprintf("%q", pkg.ImportPath),
		Doc:  pkg.Doc,
	}}
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			valueDocs(fset, v, out)
		}
	}
	funcs := func(fs []*doc.Func, recv string) {
		for _, f := range fs {
			out[recv+f.Name] = Doc{Decl: printDecl(fset, f.Decl), Doc: f.Doc}
		}
	}
	values(pkg.Consts)
	values(pkg.Vars)
	funcs(pkg.Funcs, "")
	for _, t := range pkg.Types {
		out[t.Name] = Doc{Decl: printDecl(fset, t.Decl), Doc: t.Doc}
		values(t.Consts)
		values(t.Vars)
		funcs(t.Funcs, "")
		funcs(t.Methods, t.Name+".")
		memberDocs(fset, t, out)
	}
	return out
}

// valueDocs adds each name of a const or var group: the whole group when
// it is small, else the name's own spec.
func valueDocs(fset *token.FileSet, v *doc.Value, out map[string]Doc) {
	for _, sp := range v.Decl.Specs {
		vs := sp.(*ast.ValueSpec)
		d := Doc{Decl: printDecl(fset, v.Decl), Doc: v.Doc}
		if len(v.Decl.Specs) > maxGroup {
			one := &ast.GenDecl{Tok: v.Decl.Tok, Specs: []ast.Spec{vs}}
			d.Decl = printDecl(fset, one)
		}
		if vs.Doc != nil && len(v.Decl.Specs) > 1 {
			d.Doc = vs.Doc.Text()
		}
		for _, n := range vs.Names {
			// go/doc has dropped unexported names, except in builtin.
			if n.Name != "_" {
				out[n.Name] = d
			}
		}
	}
}

// memberDocs adds the exported fields of a struct type ("T.Field") and
// the methods of an interface type ("T.Method").
func memberDocs(fset *token.FileSet, t *doc.Type, out map[string]Doc) {
	for _, sp := range t.Decl.Specs {
		ts, ok := sp.(*ast.TypeSpec)
		if !ok || ts.Name.Name != t.Name {
			continue
		}
		switch st := ts.Type.(type) {
		case *ast.StructType:
			for _, f := range st.Fields.List {
				for _, n := range f.Names {
					if ast.IsExported(n.Name) {
						out[t.Name+"."+n.Name] = Doc{Decl: t.Name + "." + n.Name + " " + printNode(fset, f.Type), Doc: fieldDoc(f)}
					}
				}
			}
		case *ast.InterfaceType:
			for _, f := range st.Methods.List {
				ft, isFunc := f.Type.(*ast.FuncType)
				for _, n := range f.Names {
					if isFunc && ast.IsExported(n.Name) {
						sig := strings.TrimPrefix(printNode(fset, ft), "func")
						out[t.Name+"."+n.Name] = Doc{Decl: "func (" + t.Name + ") " + n.Name + sig, Doc: fieldDoc(f)}
					}
				}
			}
		}
	}
}

// fieldDoc is a field's or interface method's doc comment, else its line
// comment.
func fieldDoc(f *ast.Field) string {
	if f.Doc != nil {
		return f.Doc.Text()
	}
	if f.Comment != nil {
		return f.Comment.Text()
	}
	return ""
}

// printDecl prints a declaration without its doc comment (go/doc has
// taken it) but with the comments of its fields and specs.
func printDecl(fset *token.FileSet, decl ast.Decl) string {
	var comments []*ast.CommentGroup
	ast.Inspect(decl, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Field:
			comments = appendGroups(comments, n.Doc, n.Comment)
		case *ast.ValueSpec:
			comments = appendGroups(comments, n.Doc, n.Comment)
		case *ast.TypeSpec:
			if g, ok := decl.(*ast.GenDecl); ok && g.Lparen.IsValid() {
				comments = appendGroups(comments, n.Doc, n.Comment)
			}
		}
		return true
	})
	if g, ok := decl.(*ast.GenDecl); ok && len(g.Specs) == 1 && !g.Lparen.IsValid() {
		// A lone spec's comment belongs to the whole declaration.
		if vs, ok := g.Specs[0].(*ast.ValueSpec); ok && vs.Doc != nil {
			comments = removeGroup(comments, vs.Doc)
		}
	}
	if len(comments) == 0 {
		return printNode(fset, decl)
	}
	return printNode(fset, &printer.CommentedNode{Node: decl, Comments: comments})
}

func appendGroups(list []*ast.CommentGroup, groups ...*ast.CommentGroup) []*ast.CommentGroup {
	for _, g := range groups {
		if g != nil {
			list = append(list, g)
		}
	}
	return list
}

func removeGroup(list []*ast.CommentGroup, g *ast.CommentGroup) []*ast.CommentGroup {
	var out []*ast.CommentGroup
	for _, c := range list {
		if c != g {
			out = append(out, c)
		}
	}
	return out
}

// printNode formats an AST node as Go source.
func printNode(fset *token.FileSet, n any) string {
	var b bytes.Buffer
	cfg := printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}
	if err := cfg.Fprint(&b, fset, n); err != nil {
		return ""
	}
	return b.String()
}
