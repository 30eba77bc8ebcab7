package interp

import (
	"context"
	"go/doc/comment"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gomp-kernel/gomp/interp/symbols"
)

// goroot is the Go installation whose sources document the standard
// library: `go env GOROOT`, else the one this binary was built with; ""
// when neither has sources.
var goroot = sync.OnceValue(func() string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var roots []string
	cmd := exec.CommandContext(ctx, "go", "env", "GOROOT")
	// A go.mod in the working directory must not make go fetch a toolchain.
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := cmd.Output(); err == nil {
		roots = append(roots, strings.TrimSpace(string(out)))
	}
	// Where no go command is on PATH (a kernel started from a desktop
	// launcher, say), the Go this binary was built with is often still
	// there; it is checked for sources below.
	//lint:ignore SA1019 a fallback when `go env GOROOT` cannot run
	roots = append(roots, runtime.GOROOT())
	for _, r := range roots {
		if fi, err := os.Stat(filepath.Join(r, "src", "fmt")); r != "" && err == nil && fi.IsDir() {
			return r
		}
	}
	return ""
})

// stdDocs caches the parsed documentation of standard packages, by
// import path; nil for a package whose source is absent.
var stdDocs struct {
	sync.Mutex
	m map[string]map[string]symbols.Doc
}

// packageDocs returns the documentation of package p (gomp's own, from
// the generated table, or a standard package parsed from the Go
// installation's source the first time it is asked for), or nil.
func packageDocs(p string) map[string]symbols.Doc {
	if _, own := symbols.Packages[p]; own {
		return symbols.Docs[p]
	}
	stdDocs.Lock()
	defer stdDocs.Unlock()
	if d, done := stdDocs.m[p]; done {
		return d
	}
	if stdDocs.m == nil {
		stdDocs.m = map[string]map[string]symbols.Doc{}
	}
	var d map[string]symbols.Doc
	if root := goroot(); root != "" {
		// An error (no source) leaves d nil: signatures only.
		d, _ = symbols.DirDocs(filepath.Join(root, "src", filepath.FromSlash(p)), p)
	}
	stdDocs.m[p] = d
	return d
}

// symbolDoc returns the documentation of name ("Name", "Type.Method",
// "Type.Field" or "" for the package) in package p.
func symbolDoc(p, name string) (symbols.Doc, bool) {
	d, ok := packageDocs(p)[name]
	return d, ok
}

// help is what Inspect shows for a name.
type help struct {
	decl  string // the declaration, Go source
	value string // a variable's current value, or ""
	doc   string // the doc comment's text (unformatted), or ""
	pkg   string // the import path the doc comment's links resolve in; "" for the notebook
}

// Help is what Inspect found: the same description as plain text
// (declaration, blank line, doc comment) and as Markdown (the declaration
// in a Go code block, then the doc comment).
type Help struct {
	Text     string
	Markdown string
}

// render formats h for the frontend.
func (h help) render() Help {
	code := h.decl
	if h.value != "" {
		code += "\n= " + h.value
	}
	text, md := code, "```go\n"+code+"\n```\n"
	if strings.TrimSpace(h.doc) != "" {
		parser := comment.Parser{LookupSym: func(recv, name string) bool {
			if h.pkg == "" {
				return false
			}
			if recv != "" {
				name = recv + "." + name
			}
			_, ok := pkgSymbols(h.pkg)[name]
			if !ok {
				_, ok = symbolDoc(h.pkg, name)
			}
			return ok
		}}
		d := parser.Parse(h.doc)
		pr := &comment.Printer{DocLinkURL: func(l *comment.DocLink) string { return docLinkURL(l, h.pkg) }}
		text += "\n\n" + strings.TrimRight(string(pr.Text(d)), "\n")
		md += "\n" + string(pr.Markdown(d))
	}
	return Help{Text: text, Markdown: md}
}

// docLinkURL links a doc comment's [Name] or [pkg.Name] to pkg.go.dev for
// standard packages; gomp's own and the notebook's have no pages.
func docLinkURL(l *comment.DocLink, pkg string) string {
	p := l.ImportPath
	if p == "" {
		p = pkg
	}
	if _, std := stdlibKeys()[p]; !std {
		return ""
	}
	if _, own := symbols.Packages[p]; own {
		return ""
	}
	u := "https://pkg.go.dev/" + p
	switch {
	case l.Recv != "":
		u += "#" + l.Recv + "." + l.Name
	case l.Name != "":
		u += "#" + l.Name
	}
	return u
}

// ownPackage is the short import path of the gomp package whose full
// import path is p, or "".
func ownPackage(p string) string {
	for short, key := range symbols.Packages {
		if path.Dir(key) == p {
			return short
		}
	}
	return ""
}
