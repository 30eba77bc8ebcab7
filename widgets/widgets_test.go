package widgets

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gomp-kernel/gomp/display"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testHost records what the package sends and runs redirects into a
// buffer, standing in for gomp's front.
type testHost struct {
	mu   sync.Mutex
	sent []Message
	out  *Sink // the redirect in force, if any
}

func (h *testHost) Send(m Message) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sent = append(h.sent, m)
	return nil
}

func (h *testHost) Origin() any { return "cell" }

func (h *testHost) Redirect(s Sink) func() {
	h.mu.Lock()
	prev := h.out
	h.out = &s
	h.mu.Unlock()
	return func() { h.mu.Lock(); h.out = prev; h.mu.Unlock() }
}

// print writes as a cell's fmt.Println would: to the redirect, if any.
func (h *testHost) print(s string) {
	h.mu.Lock()
	out := h.out
	h.mu.Unlock()
	if out != nil {
		out.Stdout.Write([]byte(s))
	}
}

// take returns and forgets what was sent.
func (h *testHost) take() []Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.sent
	h.sent = nil
	return s
}

func withHost(t *testing.T) *testHost {
	h := &testHost{}
	old := SetHost(h)
	oldPub := display.SetPublisher(func(o display.Output) error {
		h.mu.Lock()
		out := h.out
		h.mu.Unlock()
		if out == nil {
			return nil
		}
		return out.Display(o)
	})
	t.Cleanup(func() { SetHost(old); display.SetPublisher(oldPub) })
	return h
}

// data decodes a message's data.
func data(t *testing.T, m Message) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(m.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

var idRE = regexp.MustCompile(`[0-9a-f]{32}`)

// TestModelsGolden checks the comm_open messages each constructor sends
// (layout and style first, then the widget) against
// testdata/models/NAME.json, with ids numbered in order.
func TestModelsGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func() Widget
	}{
		{"IntSlider", func() Widget { return NewIntSlider("n", 0, 10, 3) }},
		{"FloatSlider", func() Widget { return NewFloatSlider("x", 0, 1, 0.1, 0.5) }},
		{"IntRangeSlider", func() Widget { return NewIntRangeSlider("r", 0, 100, 80, 20) }},
		{"Dropdown", func() Widget { return NewDropdown("pick", []string{"a", "b"}, "b") }},
		{"Checkbox", func() Widget { return NewCheckbox("on", true) }},
		{"ToggleButtons", func() Widget { return NewToggleButtons("mode", []string{"x", "y"}, "x") }},
		{"Text", func() Widget { return NewText("name", "gö") }},
		{"Textarea", func() Widget { return NewTextarea("notes", "a\nb") }},
		{"Button", func() Widget { return NewButton("run") }},
		{"IntProgress", func() Widget { return NewIntProgress("done", 0, 8, 2) }},
		{"FloatProgress", func() Widget { return NewFloatProgress("done", 0, 1, 0.25) }},
		{"Label", func() Widget { return NewLabel("hi") }},
		{"HTML", func() Widget { return NewHTML("<b>hi</b>") }},
		{"Output", func() Widget { return NewOutput() }},
		{"HBox", func() Widget { return HBox(NewLabel("a")) }},
		{"VBox", func() Widget { return VBox() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := withHost(t)
			w := tc.make()
			var opens []map[string]any
			for _, m := range h.take() {
				if m.Type != "comm_open" || m.Target != Target || string(m.Metadata) != `{"version":"2.1.0"}` {
					t.Fatalf("sent %s to %q with metadata %s", m.Type, m.Target, m.Metadata)
				}
				opens = append(opens, map[string]any{"comm_id": m.CommID, "data": data(t, m)})
			}
			if last := opens[len(opens)-1]["comm_id"]; last != w.ModelID() {
				t.Errorf("the widget's comm %v is not opened last", last)
			}
			got, err := json.MarshalIndent(opens, "", " ")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			seen := map[string]string{}
			got = idRE.ReplaceAllFunc(got, func(id []byte) []byte {
				if _, ok := seen[string(id)]; !ok {
					n++
					seen[string(id)] = fmt.Sprintf("id%d", n)
				}
				return []byte(seen[string(id)])
			})
			golden := filepath.Join("testdata", "models", tc.name+".json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				os.WriteFile(golden, append(got, '\n'), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bytes.TrimSpace(want), got) {
				t.Errorf("comm_open messages differ from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
}

// TestReceive drives a slider with the messages a frontend sends.
func TestReceive(t *testing.T) {
	h := withHost(t)
	s := NewIntSlider("n", 0, 10, 3)
	var changes []string
	s.OnChange(func(old, new int) { changes = append(changes, fmt.Sprint(old, "->", new)) })
	h.take()
	for _, tc := range []struct {
		name    string
		data    string
		buffers [][]byte
		sent    []string // method and state of each reply
		value   int
		calls   int
		err     string
	}{
		{name: "update", data: `{"method":"update","state":{"value":7},"buffer_paths":[]}`,
			sent: []string{`echo_update {"value":7}`}, value: 7, calls: 1},
		{name: "same value", data: `{"method":"update","state":{"value":7},"buffer_paths":[]}`,
			sent: []string{`echo_update {"value":7}`}, value: 7},
		{name: "clamped", data: `{"method":"update","state":{"value":70}}`,
			sent: []string{`echo_update {"value":70}`, `update {"value":10}`}, value: 10, calls: 1},
		{name: "integral float", data: `{"method":"update","state":{"value":4.0}}`,
			sent: []string{`echo_update {"value":4}`, `update {"value":4}`}, value: 4, calls: 1},
		{name: "wrong type", data: `{"method":"update","state":{"value":"5"}}`,
			sent: []string{`update {"value":4}`}, value: 4, err: `value: want an integer, got the string "5"`},
		{name: "fraction", data: `{"method":"update","state":{"value":5.5}}`,
			sent: []string{`update {"value":4}`}, value: 4, err: "want an integer, got the number 5.5"},
		{name: "unknown key ignored", data: `{"method":"update","state":{"nonsense":1}}`, value: 4},
		{name: "other synced key kept", data: `{"method":"update","state":{"_view_count":2}}`,
			sent: []string{`echo_update {"_view_count":2}`}, value: 4},
		{name: "buffer for a value", data: `{"method":"update","state":{"value":null},"buffer_paths":[["value"]]}`,
			buffers: [][]byte{{1, 2}}, sent: []string{`update {"value":4}`}, value: 4, err: "got a buffer of 2 bytes"},
		{name: "buffer paths without buffers", data: `{"method":"update","state":{"value":1},"buffer_paths":[["value"]]}`,
			value: 4, err: "1 buffer paths for 0 buffers"},
		{name: "not json", data: `{"method":`, value: 4, err: "malformed message"},
		{name: "state not an object", data: `{"method":"update","state":[1]}`, value: 4, err: "malformed message"},
		{name: "unknown method", data: `{"method":"frobnicate"}`, value: 4, err: `unknown method "frobnicate"`},
		{name: "custom to a slider", data: `{"method":"custom","content":{"event":"click"}}`, value: 4, err: "takes no custom messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes = nil
			calls, err := Receive(Message{Type: "comm_msg", CommID: s.ModelID(), Data: json.RawMessage(tc.data), Buffers: tc.buffers})
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("Receive error = %v, want %q", err, tc.err)
			}
			var sent []string
			for _, m := range h.take() {
				d := data(t, m)
				st, _ := json.Marshal(d["state"])
				sent = append(sent, fmt.Sprint(d["method"], " ", string(st)))
			}
			if !slices.Equal(sent, tc.sent) {
				t.Errorf("sent %q, want %q", sent, tc.sent)
			}
			if len(calls) != tc.calls {
				t.Fatalf("%d callbacks, want %d", len(calls), tc.calls)
			}
			for _, c := range calls {
				if c.Origin != "cell" || !strings.HasPrefix(c.What, "OnChange of IntSlider") {
					t.Errorf("call %q from %v", c.What, c.Origin)
				}
				c.Fn()
			}
			if s.Value() != tc.value {
				t.Errorf("value %d, want %d", s.Value(), tc.value)
			}
		})
	}
	if _, err := Receive(Message{Type: "comm_msg", CommID: "elsewhere", Data: json.RawMessage(`{}`)}); err == nil {
		t.Error("a comm_msg for an unknown comm was accepted")
	}
	if _, err := Receive(Message{Type: "comm_open", CommID: "c", Target: Target, Data: json.RawMessage(`{}`)}); err == nil {
		t.Error("a model opened by the frontend was accepted")
	}
}

func TestSetValueFromGo(t *testing.T) {
	h := withHost(t)
	d := NewDropdown("d", []string{"a", "b", "c"}, "a")
	var got []string
	d.OnChange(func(old, new string) { got = append(got, old+">"+new) })
	h.take()
	if err := d.SetValue("c"); err != nil {
		t.Fatal(err)
	}
	if err := d.SetValue("z"); err == nil {
		t.Error("an option that does not exist was accepted")
	}
	sent := h.take()
	if len(sent) != 1 || data(t, sent[0])["state"].(map[string]any)["index"] != 2.0 {
		t.Errorf("sent %v", sent)
	}
	if !slices.Equal(got, []string{"a>c"}) || d.Value() != "c" || d.Index() != 2 {
		t.Errorf("changes %v, value %q index %d", got, d.Value(), d.Index())
	}
	calls, err := Receive(Message{Type: "comm_msg", CommID: d.ModelID(), Data: json.RawMessage(`{"method":"update","state":{"index":1}}`)})
	if err != nil || len(calls) != 1 {
		t.Fatalf("Receive = %d calls, %v", len(calls), err)
	}
	calls[0].Fn()
	if _, err := Receive(Message{Type: "comm_msg", CommID: d.ModelID(), Data: json.RawMessage(`{"method":"update","state":{"index":3}}`)}); err == nil {
		t.Error("an index past the options was accepted")
	}
	if !slices.Equal(got, []string{"a>c", "c>b"}) || d.Value() != "b" {
		t.Errorf("changes %v, value %q", got, d.Value())
	}
}

func TestButtonClick(t *testing.T) {
	withHost(t)
	b := NewButton("go")
	n := 0
	b.OnClick(func() { n++ })
	calls, err := Receive(Message{Type: "comm_msg", CommID: b.ModelID(), Data: json.RawMessage(`{"method":"custom","content":{"event":"click"}}`)})
	if err != nil || len(calls) != 1 {
		t.Fatalf("Receive = %d calls, %v", len(calls), err)
	}
	calls[0].Fn()
	b.Click()
	if n != 2 {
		t.Errorf("%d clicks, want 2", n)
	}
}

func TestOutputCapture(t *testing.T) {
	h := withHost(t)
	o := NewOutput()
	h.take()
	o.Capture(func() {
		h.print("one\n")
		h.print("two\n")
		display.Publish(display.Output{Kind: display.KindDisplay, Data: display.Bundle{"text/plain": "shown"}})
	})
	want := []map[string]any{
		{"output_type": "stream", "name": "stdout", "text": "one\ntwo\n"},
		{"output_type": "display_data", "data": display.Bundle{"text/plain": "shown"}, "metadata": map[string]any{}},
	}
	if got := o.Outputs(); !reflect.DeepEqual(got, want) {
		t.Errorf("outputs %v, want %v", got, want)
	}
	o.Capture(func() { panic("bad") })
	if got := o.Outputs(); len(got) != 3 || got[2]["text"] != "panic: bad\n" {
		t.Errorf("after a panic, outputs %v", got)
	}
	o.Clear(true)
	if len(o.Outputs()) != 3 {
		t.Error("Clear(true) cleared before the next output")
	}
	o.Capture(func() { h.print("fresh\n") })
	if got := o.Outputs(); len(got) != 1 || got[0]["text"] != "fresh\n" {
		t.Errorf("after Clear(true) and a print, outputs %v", got)
	}
	last := h.take()
	st := data(t, last[len(last)-1])["state"].(map[string]any)
	if outs := st["outputs"].([]any); len(outs) != 1 {
		t.Errorf("the last sync sent %v", outs)
	}
}

func TestInteract(t *testing.T) {
	h := withHost(t)
	var runs []string
	in, err := NewInteractive(func(n int, x float64, s string, on bool) string {
		runs = append(runs, fmt.Sprintf("%d %v %s %v", n, x, s, on))
		return "result"
	}, Named("n", Range{0, 10, 2}), [3]float64{0, 1, 0.5}, []string{"a", "b"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Controls) != 4 || !slices.Equal(runs, []string{"2 0.5 a true"}) {
		t.Fatalf("controls %d, runs %v", len(in.Controls), runs)
	}
	in.Controls[0].(*IntSlider).SetValue(9)
	if !slices.Equal(runs, []string{"2 0.5 a true", "9 0.5 a true"}) {
		t.Errorf("runs %v", runs)
	}
	if got := in.Out.Outputs(); len(got) != 1 || got[0]["output_type"] != "display_data" {
		t.Errorf("outputs after the second run %v", got)
	}
	h.take()
	for _, tc := range []struct {
		fn   any
		args []any
		err  string
	}{
		{42, nil, "want a function"},
		{func(int) {}, nil, "1 parameters and 0 controls"},
		{func(string) {}, []any{Range{0, 1, 0}}, "IntSlider gives int values"},
		{func(int) {}, []any{struct{}{}}, "no control for struct {}"},
		{func(...int) {}, []any{Range{}}, "variadic"},
	} {
		if _, err := NewInteractive(tc.fn, tc.args...); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("NewInteractive(%T) = %v, want %q", tc.fn, err, tc.err)
		}
	}
}

func TestControlComm(t *testing.T) {
	h := withHost(t)
	s := NewIntSlider("n", 0, 5, 1)
	h.take()
	if _, err := Receive(Message{Type: "comm_open", CommID: "ctl", Target: ControlTarget, Metadata: json.RawMessage(`{"version":"2.0.0"}`)}); err == nil {
		t.Error("control protocol 2 was accepted")
	}
	if _, err := Receive(Message{Type: "comm_open", CommID: "ctl", Target: ControlTarget, Metadata: json.RawMessage(`{"version":"1.0.0"}`)}); err != nil {
		t.Fatal(err)
	}
	if !Available() {
		t.Error("Available is false after a control comm opened")
	}
	if _, err := Receive(Message{Type: "comm_msg", CommID: "ctl", Data: json.RawMessage(`{"method":"request_states"}`)}); err != nil {
		t.Fatal(err)
	}
	sent := h.take()
	states := data(t, sent[0])["states"].(map[string]any)
	st := states[s.ModelID()].(map[string]any)
	if st["model_name"] != "IntSliderModel" || st["state"].(map[string]any)["value"] != 1.0 {
		t.Errorf("state of the slider %v", st)
	}
	if _, err := Receive(Message{Type: "comm_msg", CommID: "ctl", Data: json.RawMessage(`{"method":"other"}`)}); err == nil {
		t.Error("an unknown control method was accepted")
	}
	Receive(Message{Type: "comm_close", CommID: "ctl"})
}
