package display

import (
	"fmt"
	"html"
	"reflect"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"
)

// Table is tabular data, shown as an HTML table and, for text-only
// frontends, as aligned columns. Cells print as fmt's %v prints them.
//
//	display.Table{
//		Header: []string{"workers", "time"},
//		Rows:   [][]any{{1, t1}, {2, t2}},
//	}
type Table struct {
	Header []string
	Rows   [][]any
}

// MIMEBundle shows t as text/html and text/plain.
func (t Table) MIMEBundle() Bundle {
	var h strings.Builder
	h.WriteString("<table>")
	if len(t.Header) > 0 {
		h.WriteString("<thead><tr>")
		for _, c := range t.Header {
			fmt.Fprintf(&h, "<th>%s</th>", html.EscapeString(c))
		}
		h.WriteString("</tr></thead>")
	}
	h.WriteString("<tbody>")
	for _, row := range t.Rows {
		h.WriteString("<tr>")
		for _, c := range row {
			fmt.Fprintf(&h, "<td>%s</td>", html.EscapeString(cell(c)))
		}
		h.WriteString("</tr>")
	}
	h.WriteString("</tbody></table>")

	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	if len(t.Header) > 0 {
		fmt.Fprintln(w, strings.Join(t.Header, "\t"))
	}
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = cell(c)
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	w.Flush()
	return Bundle{MIMEHTML: h.String(), MIMEText: strings.TrimRight(b.String(), "\n")}
}

// cell is how a table shows one value; tabs and newlines would break the
// text columns, so they show as spaces.
func cell(v any) string {
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(fmt.Sprint(v))
}

// TableOf makes a Table from a slice (or array) of structs, one row per
// element and one column per exported field, or from a map, one row per
// key in sorted order. Anything else is one column of values; a value
// that is not a slice, array or map is an error.
func TableOf(v any) (Table, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		et := rv.Type().Elem()
		for et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		if et.Kind() != reflect.Struct {
			t := Table{Header: []string{"value"}}
			for i := range rv.Len() {
				t.Rows = append(t.Rows, []any{rv.Index(i).Interface()})
			}
			return t, nil
		}
		var fields []int
		var t Table
		for i := range et.NumField() {
			if f := et.Field(i); f.IsExported() && !renamedUnexported(f.Name) {
				fields = append(fields, i)
				t.Header = append(t.Header, f.Name)
			}
		}
		for i := range rv.Len() {
			e := rv.Index(i)
			for e.Kind() == reflect.Pointer {
				e = e.Elem()
			}
			row := make([]any, len(fields))
			for j, f := range fields {
				if e.IsValid() {
					row[j] = e.Field(f).Interface()
				}
			}
			t.Rows = append(t.Rows, row)
		}
		return t, nil
	case reflect.Map:
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		t := Table{Header: []string{"key", "value"}}
		for _, k := range keys {
			t.Rows = append(t.Rows, []any{k.Interface(), rv.MapIndex(k).Interface()})
		}
		return t, nil
	}
	return Table{}, fmt.Errorf("display.TableOf: a %T is not a slice, array or map", v)
}

// renamedUnexported reports whether a field name is how the yaegi
// interpreter exports a notebook struct's unexported field to reflect
// ("note" becomes "Xnote"); such fields are left out, as a compiled
// struct's unexported fields are.
func renamedUnexported(name string) bool {
	return len(name) > 1 && name[0] == 'X' && unicode.IsLower(rune(name[1]))
}
