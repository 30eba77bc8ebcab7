// Package interp owns a notebook's Go state: one Session is one yaegi
// interpreter that evaluates cells, keeps their declarations and globals,
// captures what they print, maps errors to cell line:col, renders values,
// answers is_complete, completion and inspection, and identifies and
// snapshots notebook functions for mp's child processes. It knows nothing
// of Jupyter or ZeroMQ: a front (the kernel adapter in main, the notebook
// runner, the mp worker) hands it source text and writers.
//
// # Cells
//
// A cell is any mix of imports, declarations (func, method, type, var,
// const) and statements, in any order. It is split at top level and
// evaluated in this order: its imports (an import the notebook already has
// is skipped, an unused one is fine, and only the standard library of the Go
// gomp is built with (package stdlib) and gomp's own packages can be imported); then its declarations, hoisted like Go's
// package-level declarations so that a statement may use a function
// declared below it, except that a declaration using a variable that a
// statement of the same cell defines with := is evaluated right after that
// statement; then its statements, one at a time, in order. Variables
// defined with := at top level are package-level, like var declarations,
// and stay for later cells. A declaration replaces an earlier one of the
// same name: changing a func, method, type, const or var (or adding a
// method to a type of an earlier cell) rebuilds the interpreter from the
// notebook's declarations, so that earlier code uses the new one, and keeps
// the variables' values (field by field, by name, when their type
// changed); if the cell's new declaration does not compile, the notebook
// stays as it was. Running an unchanged func, method, type or const
// declaration again does nothing; running a var declaration again
// re-initialises the variable; a := of names that exist assigns them when
// the types allow and each keeps its static type (otherwise it declares
// them anew). When the cell ends with an expression
// its value is shown: strings quoted, structs with field names, nothing for
// calls without results or for fmt.Print*; a call whose last result is an
// error fails the cell when that error is non-nil and otherwise shows its
// other results. A cell with a type error runs nothing (see Type
// checking below). A failing statement ends the cell; what ran before it
// stays done. Errors read In[n]:line:col in cell coordinates, a panic
// shows the interpreted stack, and os.Exit and log.Fatal end the cell with
// "exit status N" while the session lives on. An interrupt stops
// interpreted loops, channel operations and time.Sleep, in the cell and in
// the goroutines the notebook started, and abandons a blocked call into
// compiled code. A panic in a goroutine is reported on the current cell's
// stderr instead of ending the process.
//
// # Type checking and lowering
//
// Before anything of a cell runs, checkCell (typecheck.go) type-checks it
// with go/types in a synthetic package holding the notebook's imports,
// the latest version of each declaration, its := globals (typed as the
// checker typed them) and the cell's statements in a function body; the
// standard library's types come from `go list -export` data
// (importer.go). A type error fails the cell with go/types' message (the
// compiler's) at In[n]:line:col; notebook rules (unused imports and
// top-level variables, redeclaration across cells, the trailing
// expression) are not errors. A setup failure skips the check. The
// checker's facts (which range is over an integer, the type of a min
// call, ...) drive the lowerings of the rewrite pipeline (lower.go):
// range over int, min, max, clear, new(expr) and range over func.
//
// # Run-time errors
//
// A panic's message reads as Go's own for the run-time errors students
// meet: index out of range [i] with length n (slices, arrays, strings),
// slice bounds out of range, assignment to entry in nil map, invalid
// memory address or nil pointer dereference, integer divide by zero,
// interface conversion (with "missing method M"), and send on or close of
// a closed channel. The operands in the first two are found again after
// the fact (failure.go) when they are constants or globals; an index held
// in a function's local variable is gone by then, and the message is
// Go's without it ("index out of range"). A failed assertion to a
// notebook interface names the value's type and the missing method as Go
// does when yaegi names the type, or when the value is a global whose
// reflect type belongs to one type only; otherwise (a local, or a type
// sharing its reflect type with another) it says "value is not T".
// runtime_errors_test.go holds the cases, checked against the Go
// toolchain, and the gaps.
//
// # Rich output
//
// The display package publishes through one process-wide hook; the
// session routes it to the running cell's IO.Display, after flushing what
// the cell wrote to fd 1, os.Stdout and os.Stderr, so displays keep their place among the
// printed lines. A trailing value with a rich representation
// (display.Represent) comes back with Value.Data set.
//
// # yaegi behaviours this package works around (v0.16.1)
//
// The rewrites every piece of notebook code gets run as one pipeline
// (instrument and topLevel, rewrite.go); every name they and the preludes
// add starts with reservedPrefix ("_gomp"), which cells may not use
// (checkReserved). The scraping of yaegi's error texts is in errors.go.
// TestYaegiQuirks (quirks_test.go) pins each behaviour below on a bare
// interpreter, so that a yaegi upgrade shows which workarounds died; the
// testdata/cells/quirks*.txtar goldens show the workarounds from a cell.
//
//   - A func with unnamed parameters whose body starts with a statement
//     gomp added (the probe check) reads its arguments from the wrong
//     frame slots: "reflect.Set: value of type int is not assignable to
//     type bool". nameParams (probe.go) names them "_".
//   - A loop keeps one variable for all its iterations (Go before 1.22):
//     goroutines and closures started in a loop see its last value.
//     loopVars copies the variables per iteration in loops whose bodies
//     may capture them, and copies a three-clause loop's variables back
//     for the post statement when the body changes them or takes their
//     address (copyBack). A deferred closure still reads the variable
//     when it runs (testdata/cells/loopvars.txtar).
//   - A func literal evaluated in a loop keeps its closure in a slot of
//     the frame, and each call of a closure writes the slot's older value
//     back when it returns. With goroutines of earlier iterations
//     returning meanwhile, an iteration could start an older closure (an
//     i counted twice, another never) or a nil one ("call of nil
//     function", then a hang in wg.Wait); a literal handed straight to
//     compiled code (wg.Go, time.AfterFunc) read the loop's variables
//     when it ran. loopClosures (loopclosures.go) makes each such literal
//     in a call of its own; guardGo's go statements call a variable.
//   - A defer evaluates its arguments when the deferred call runs
//     (`for i := 0; i < 3; i++ { defer fmt.Println(i) }` printed 3 3 3),
//     and a defer among a cell's top-level statements ran when its own
//     statement ended. deferArgs (deferargs.go) copies what a defer
//     evaluates first; cellDefers (program.go) registers a top-level one
//     to run when the cell ends (testdata/cells/defer.txtar).
//   - CompileAST appends a call of main to every program once the
//     package declares func main, so each later cell (and Eval) ran it
//     again. renameMain (program.go) gives the notebook's main a reserved
//     name; messages and frames say main.
//   - Assigning a package's variable (`os.Args = x`,
//     `flag.CommandLine = f`) writes a slot of yaegi's own and leaves the
//     variable unchanged; pkgVarAssigns writes through `*&os.Args`.
//   - A var initialiser that uses a global of an earlier compile (`x :=
//     1; var d = x`, across cells too) is a "variable definition loop",
//     and `var n = os.Args[0]` a "constant definition loop" (an index of
//     a global whose type is a compiled one; also as `n := os.Args[0]`
//     at top level). declareApart (program.go) compiles such vars as
//     statements after the cell's other declarations, and defineGlobals
//     defines a := it cannot type through a boxed value and an assertion
//     to the value's dynamic type.
//   - Unexported fields of a notebook struct are renamed X+name; %+v
//     printed {Xowner:ann}. fmtExports (fmtnames.go) restores the names
//     in fmt.Printf, Sprintf, Fprintf and Errorf (an exported field
//     declared as X and a lower-case letter is then shown without its X),
//     and jsonExports (jsonnames.go) leaves them out in json.Marshal,
//     MarshalIndent and an Encoder's Encode (not in a type that refers
//     to itself).
//   - A notebook error passed by its own type to fmt.Errorf's %w arrived
//     as a bare struct: fmt's MapTypes (stdlib/maptypes.go) list error.
//   - A notebook Stringer given to %d or %#v printed yaegi's wrapper
//     struct: printargs.go converts it to its underlying type. Held in an
//     any or a notebook interface, it reached fmt without its String or
//     Error method: printargs.go passes it through _gompfmtarg.Arg
//     (fmtargs.go). A notebook value assigned, declared, returned or
//     converted to an any lost its type in yaegi (as an argument, or in
//     a slice, map or struct, it kept it): boxany.go passes it through
//     _gompBox there. One inside a slice or struct printed whole still
//     prints bare.
//   - A type switch or assertion to fmt.Stringer or error bound a
//     notebook value by evaluating its expression again in the wrong
//     frame (a nil dereference, or "reflect.Set: value of type bool"):
//     assertions (assert.go) bind it through _gompAsStringer and
//     _gompAsError.
//   - A func literal deferred in a loop saw the last iteration's
//     variables (yaegi builds its closure when the deferred call runs,
//     and keeps one slot per variable); deferloop.go passes the ones it
//     reads as arguments. A variable the loop changes after the defer
//     statement still reads as its last value. Binding the literal to a
//     variable and deferring a call of that deadlocks yaegi (the
//     deferred call of a closure value waits on its frame's lock).
//   - A range over a slice of channels that binds the elements ranged
//     over the channel type (rangechans.go); a method value read its
//     receiver when called (methodvalue.go).
//   - errors.As panics for a pointer to a notebook error type (its
//     methods are not in its reflect type) and stops at yaegi's wrapper
//     of a notebook error. errorsAs (errorsas.go) walks the chain itself.
//   - A top-level `var _ = x` declares a global named "_", which later
//     `_ = f()` and `a, _ := ...` then assign (a reflect.Set panic, or a
//     wrong value). blankVars gives such names reserved ones.
//   - `v, ok := m[k]` (or x.(T), <-ch) at top level fails while yaegi
//     types the globals ("nil type"), as does `var v, ok = m[k]`, and a
//     := that redeclares a name (`t, err := t.Parse(s)`) defines it anew
//     instead of assigning it. redeclare (program.go) compiles, without
//     running, a := of the new names (`v := m[k]`, `ok := false`) to
//     declare them, then runs an assignment.
//   - Inside a func, asserting an any to a notebook interface panics on
//     success ("reflect.Set: value of type interface {} is not assignable
//     to type interp.valueInterface", also in the comma-ok form);
//     `switch v.(type) { case I: }` matches no value and
//     `switch x := v.(type) { case I: }` matches values with only some of
//     I's methods; `switch s := v; f(s) { ... }` takes the first case
//     whatever f returns. `_, ok := v.(I)` answers right, except that a T
//     counts as having *T's methods and a *T as having none of T's, and
//     that a value made an interface other than by passing it (see the
//     next-but-one item) has no methods (gaps, in the README). assertions
//     (assert.go) asks with that form and converts through a binding type
//     switch, and rewrites type switches with a case of a notebook
//     interface into a switch on the index of the matching case. The
//     same panic on success hits `x.(I)` and `v, ok := x.(I)` in
//     top-level statements; only the comma-ok form is rewritten there,
//     since the rewritten single form loses the statement's frame when
//     the assertion fails (the README names the gap).
//   - A := inside a top-level for, if, switch or block is sometimes
//     "undefined" at its next use: scoped (session.go) runs such
//     statements inside a func literal.
//   - An assignment of a call's several results is not type-checked:
//     `out, err = f()` with out a []any and f returning any compiles and
//     panics with reflect.Set. keepsTypes (types.go) always asks for the
//     static types of a multi-value :=, which then declares the names anew
//     when a type changed, as a fresh session would.
//   - A notebook type's value passed to a compiled func as any loses its
//     methods. yaegi wraps it in a generated interface wrapper only for a
//     parameter of an interface type with methods, or for the funcs listed
//     in MapTypes (one wrapper: the first interface of the list the type
//     implements); exports.go lists display's funcs there. Method calls on
//     compiled values (h.Update(v)) get no wrapper, so top-level statements
//     have them rewritten to display.Update(h, v) (rewriteUpdates). The
//     wrapper's IValue field does not reliably hold the value. Trailing
//     values therefore go through display.Represent inside the interpreter
//     (represent).
//   - For a value held in an interface (a func's `v any` parameter, a
//     []any), the MapTypes wrapper evaluates the value's original
//     expression again in the wrong frame: it shows <nil>, another
//     variable, or panics. Asserting such a value to a compiled interface
//     has the same fault. So display.Show, ShowAs and Update get their
//     value through _gompRich (richargs.go), which asks with
//     `_, ok := v.(I)` and calls the method through a variable of a
//     compiled interface type, the one form that works.
//   - Two notebook types with the same fields, and a declared type and its
//     underlying type, share one reflect type, and yaegi lets a value of
//     one be assigned to a variable of the other. Methods are found
//     through the static type, so gomp never assigns a cell's value to a
//     variable of another type: its own result variables are defined anew
//     each time (Session.define) and a := of an existing global with a new
//     static type defines it anew (keepsTypes).
//   - A notebook value made an interface by a variable declaration
//     (`var x any = T{}`, at top level or in a func), an assignment, a
//     conversion (any(T{})) or a return (`return T{}` from a func whose
//     result is any) is not boxed with its type: no path can find T's
//     methods. Passing it as an argument, storing it in a []any, a map or
//     a channel and `var s I = T{}` box it, so boxany.go passes such a
//     value through _gompBox, an interpreted func, where the type checker
//     saw the conversion.
//   - Go's run-time errors arrive as reflect's panics ("reflect: slice
//     index out of range") or with positions in gomp's internal file
//     names; errors.go (goPanicText) gives Go's wording, and failure.go
//     names the operands when they can be evaluated again (see explain).
//   - os.Exit and log.Fatal panic with "os.Exit(N)" (exitRE).
//   - A trailing *p with p nil yields no value instead of panicking;
//     evalExpr reports Go's nil dereference.
//   - A conversion T(x) compiles as "returns 0 values" when asked for more
//     results (resultCount); isConversion tells it from a call without
//     results.
//   - The Go 1.21 builtins min, max and clear are missing and reported as
//     "constant definition loop" (isDefinitionLoop). Checked cells get
//     them lowered (lower.go); in a cell that could not be checked the
//     error names them.
//   - An identifier a cell never declared is sometimes also reported as
//     "constant definition loop" (see undefinedName).
//   - A map literal of a named map of pointers to a compiled struct with
//     &T elided (fstest.MapFS{"a": {Data: b}}) crashes the compiler (CFG
//     post-order panic); elidedptr.go writes &T out.
//   - a, b = nil, nil panics with "reflect: New(nil)"; nilassign.go
//     converts each nil to its variable's type.
//   - A method expression of a compiled type (netip.Prefix.Compare) has
//     the method's type without its receiver, and calling a notebook
//     type's fails; methodexpr.go writes the func literal.
//   - Handing a value or nil to a compiled interface type of a package
//     that is not loaded panics in genInterfaceWrapper (gomp loads a
//     package when a cell imports it); ifaceimports.go imports it.
//   - panic panics with the argument's reflect.Value, so recover returns
//     a reflect.Value, and panic(nil) recovers nil; panicnil.go panics
//     through compiled code.
//   - Generic functions that need the runtime (iter.Pull, unique.Make,
//     weak.Make, maphash.Comparable, runtime.AddCleanup, ...) come from
//     templates (stdtemplates.go); yaegi fails on `return <-ch` in a
//     func literal returning a value (reflect.Value.Set using
//     unaddressable value), which the templates avoid.
package interp
