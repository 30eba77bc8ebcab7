"""Protocol tests for the gomp kernel, driven by jupyter_client and
jupyter_kernel_test from the test venv (requirements/ci.txt). Run by
TestJupyterProtocol (e2e/jupyter_test.go) with the venv's python and
JUPYTER_DATA_DIR pointing at a fresh kernelspec."""

import os
import queue
import tempfile
import time
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

TIMEOUT = 30


class GompKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "gomp"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'import "fmt"\nfmt.Println("hello, world")'
    code_stderr = 'import (\n\t"fmt"\n\t"os"\n)\nfmt.Fprintln(os.Stderr, "to stderr")'
    completion_samples = [
        # Members replace the text after the dot (cursor_start is after "fmt.").
        {"text": 'import "fmt"\nfmt.Sprin', "matches": {"Sprint", "Sprintf", "Sprintln"}},
        # A standard package the notebook has not imported yet.
        {"text": "strings.ToU", "matches": {"ToUpper", "ToUpperSpecial"}},
        # gomp's own packages.
        {"text": "mp.NewPo", "matches": {"NewPool"}},
        {"text": "display.Sho", "matches": {"Show", "ShowAs", "ShowBundle"}},
        # Keywords and predeclared names.
        {"text": "fallt", "matches": {"fallthrough"}},
        {"text": "x := appe", "matches": {"append"}},
        # Names of the code being typed, after non-ASCII text.
        {"text": "größe := 1\ngrö", "matches": {"größe"}},
    ]
    complete_code_samples = ["x := 1", "func f() int { return 1 }", 'import "fmt"', ""]
    incomplete_code_samples = ["func f() {", "x := []int{1,", "for {", "s := `raw"]
    invalid_code_samples = ["x := )", "}", "func f() { return ) }"]
    code_generate_error = 'panic("boom")'
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": 'x := 20\nx * 2', "result": "40"},
        {"code": '"go" + "mp"', "result": '"gomp"'},
    ]
    code_history_pattern = "1 +*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "fmt.Println"

    code_display_data = [
        {"code": 'import "display"\ndisplay.Show(display.HTML("<b>hi</b>"))', "mime": "text/html"},
        {"code": 'import "display"\ndisplay.Show(display.Markdown("*hi*"))', "mime": "text/markdown"},
        {"code": 'import "display"\ndisplay.Show(display.SVG(`<svg xmlns="http://www.w3.org/2000/svg"/>`))', "mime": "image/svg+xml"},
        {"code": 'import "display"\ndisplay.Show(display.LaTeX(`$x^2$`))', "mime": "text/latex"},
        {"code": 'import "display"\ndisplay.Show(display.JSON([]int{1, 2}))', "mime": "application/json"},
        {"code": 'import (\n\t"display"\n\t"image"\n)\ndisplay.Show(image.NewGray(image.Rect(0, 0, 4, 4)))', "mime": "image/png"},
    ]
    code_clear_output = 'import "display"\ndisplay.Clear(true)'
    code_page_something = "?fmt.Println"


class GompBehaviourTests(unittest.TestCase):
    """What jupyter_kernel_test does not cover: signatures, interrupts,
    stop_on_error, stdin, volume and control while busy."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="gomp")

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)

    def setUp(self):
        self.drain()

    def drain(self):
        for get in (self.kc.get_shell_msg, self.kc.get_iopub_msg, self.kc.get_stdin_msg):
            while True:
                try:
                    get(timeout=0.05)
                except queue.Empty:
                    break

    def reply_for(self, msg_id, timeout=TIMEOUT):
        while True:
            msg = self.kc.get_shell_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def iopub_until_idle(self, msg_id, timeout=TIMEOUT):
        out = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            out.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return out

    def run_cell(self, code, **kw):
        msg_id = self.kc.execute(code, **kw)
        reply = self.reply_for(msg_id)
        msgs = self.iopub_until_idle(msg_id)
        stdout = "".join(m["content"]["text"] for m in msgs
                         if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")
        return reply, msgs, stdout

    def test_state_persists_and_counts(self):
        reply, _, _ = self.run_cell("counted := 41")
        n = reply["content"]["execution_count"]
        reply, msgs, _ = self.run_cell("counted + 1")
        self.assertEqual(reply["content"]["execution_count"], n + 1)
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")
        self.assertEqual(results[0]["content"]["execution_count"], n + 1)

    def test_bad_signature_never_runs(self):
        marker = os.path.join(tempfile.mkdtemp(), "ran")
        code = 'import "os"\nos.WriteFile(%r, []byte("x"), 0o644)' % marker
        forged = Session(key=b"not-the-key", username="mallory")
        forged.send(self.kc.shell_channel.socket, "execute_request",
                    {"code": code, "silent": False, "store_history": True,
                     "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        unsigned = Session(key=b"", username="mallory")
        unsigned.send(self.kc.shell_channel.socket, "execute_request",
                      {"code": code, "silent": False, "store_history": True,
                       "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        # The kernel still answers signed requests, and the forged ones never ran.
        reply, _, out = self.run_cell('import "fmt"\nfmt.Println("still here")')
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("still here", out)
        self.assertFalse(os.path.exists(marker), "a message with a bad signature was executed")

    def test_error_names_cell_position(self):
        reply, msgs, _ = self.run_cell("x := 1\ny := undefinedName + x")
        self.assertEqual(reply["content"]["status"], "error")
        errs = [m for m in msgs if m["msg_type"] == "error"]
        self.assertEqual(len(errs), 1)
        text = errs[0]["content"]["evalue"] + "\n".join(errs[0]["content"]["traceback"])
        self.assertIn("2:", text)
        self.assertIn("undefinedName", text)

    def test_error_names_visible_count_after_silent(self):
        # Silent executes and user_expressions do not move the execution
        # count, so they must not shift the In[n] that errors name either.
        reply, _, _ = self.run_cell("visible := 1")
        n = reply["content"]["execution_count"]
        for _ in range(3):
            self.run_cell("visible + 1", silent=True)
        self.run_cell("visible", user_expressions={"v": "visible"})
        reply, msgs, _ = self.run_cell("z := visible + notDeclaredAnywhere")
        self.assertEqual(reply["content"]["execution_count"], n + 2)
        errs = [m for m in msgs if m["msg_type"] == "error"]
        self.assertEqual(len(errs), 1)
        self.assertIn("In[%d]:1:" % (n + 2), errs[0]["content"]["evalue"])

    def test_panic_keeps_state(self):
        self.run_cell("kept := 7")
        reply, msgs, _ = self.run_cell('func explode() { panic("kaboom") }\nexplode()')
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("kaboom", reply["content"]["evalue"])
        reply, msgs, _ = self.run_cell("kept")
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "7")

    def test_os_exit_is_an_error(self):
        reply, _, _ = self.run_cell('import "os"\nos.Exit(3)')
        self.assertEqual(reply["content"]["status"], "error")
        reply, _, out = self.run_cell('import "fmt"\nfmt.Println("alive")')
        self.assertIn("alive", out)

    def test_interrupt_signal_keeps_state(self):
        self.run_cell("before := 99")
        msg_id = self.kc.execute("for {}")
        time.sleep(1)
        self.km.interrupt_kernel()
        reply = self.reply_for(msg_id)
        self.iopub_until_idle(msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        reply, msgs, _ = self.run_cell("before")
        results = [m for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "99")

    def test_interrupt_request_on_control_stops_sleep(self):
        msg_id = self.kc.execute('import "time"\ntime.Sleep(time.Hour)')
        time.sleep(1)
        req = self.kc.session.msg("interrupt_request", {})
        self.kc.control_channel.send(req)
        ctl = self.kc.get_control_msg(timeout=TIMEOUT)
        self.assertEqual(ctl["msg_type"], "interrupt_reply")
        reply = self.reply_for(msg_id)
        self.iopub_until_idle(msg_id)
        self.assertEqual(reply["content"]["status"], "error")

    def test_control_answers_while_busy(self):
        msg_id = self.kc.execute('import "time"\ntime.Sleep(3 * time.Second)')
        time.sleep(0.5)
        req = self.kc.session.msg("kernel_info_request", {})
        self.kc.control_channel.send(req)
        ctl = self.kc.get_control_msg(timeout=TIMEOUT)
        self.assertEqual(ctl["msg_type"], "kernel_info_reply")
        # The cell is still running when control answered.
        with self.assertRaises(queue.Empty):
            self.kc.get_shell_msg(timeout=0.1)
        self.reply_for(msg_id)
        self.iopub_until_idle(msg_id)

    def test_stop_on_error_aborts_queued(self):
        # The first cell fails only after the others have surely been sent.
        first = self.kc.execute('import "time"\ntime.Sleep(500 * time.Millisecond)\npanic("first fails")')
        second = self.kc.execute('import "fmt"\nfmt.Println("must not run")')
        third = self.kc.execute("1 + 1")
        self.assertEqual(self.reply_for(first)["content"]["status"], "error")
        self.assertEqual(self.reply_for(second)["content"]["status"], "aborted")
        self.assertEqual(self.reply_for(third)["content"]["status"], "aborted")
        # Service resumes for requests sent afterwards.
        reply, _, out = self.run_cell('import "fmt"\nfmt.Println("resumed")')
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("resumed", out)

    def test_stdin_round_trip(self):
        code = 'import "fmt"\nvar name string\nfmt.Scanln(&name)\nfmt.Println("hello", name)'
        msg_id = self.kc.execute(code, allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(req["msg_type"], "input_request")
        self.kc.input("gopher")
        reply = self.reply_for(msg_id)
        msgs = self.iopub_until_idle(msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        out = "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")
        self.assertIn("hello gopher", out)

    def test_stdin_not_allowed_is_an_error(self):
        code = 'import "fmt"\nvar nobody string\n_, err := fmt.Scanln(&nobody)\nfmt.Println("err:", err)'
        reply, _, out = self.run_cell(code, allow_stdin=False)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("err:", out)
        self.assertIn("stdin", out)

    def test_many_lines_arrive_coalesced(self):
        n = 100000
        reply, msgs, out = self.run_cell(
            'import "fmt"\nfor i := 0; i < %d; i++ { fmt.Println("line", i) }' % n)
        self.assertEqual(reply["content"]["status"], "ok")
        lines = out.splitlines()
        self.assertEqual(len(lines), n)
        self.assertEqual(lines[0], "line 0")
        self.assertEqual(lines[-1], "line %d" % (n - 1))
        streams = [m for m in msgs if m["msg_type"] == "stream"]
        self.assertLess(len(streams), 1000)

    def test_output_before_reply(self):
        code = ('import (\n\t"fmt"\n\t"os"\n)\n'
                'fmt.Println("interpreted")\nos.Stdout.WriteString("compiled\\n")\n'
                'done := make(chan bool)\ngo func() { fmt.Println("goroutine"); done <- true }()\n<-done')
        reply, msgs, out = self.run_cell(code)
        self.assertEqual(reply["content"]["status"], "ok")
        for want in ("interpreted", "compiled", "goroutine"):
            self.assertIn(want, out)

    def test_update_display_data_redraws_in_place(self):
        code = ('import (\n\t"display"\n\t"fmt"\n)\n'
                'fmt.Println("first")\n'
                'bar := display.Show(display.Text("step 1"))\n'
                'fmt.Println("second")\n'
                'bar.Update(display.HTML("<i>step 2</i>"))')
        reply, msgs, _ = self.run_cell(code)
        self.assertEqual(reply["content"]["status"], "ok")
        kinds = [m["msg_type"] for m in msgs if m["msg_type"] not in ("status", "execute_input")]
        self.assertEqual(kinds, ["stream", "display_data", "stream", "update_display_data"])
        shown = [m for m in msgs if m["msg_type"] == "display_data"][0]["content"]
        update = [m for m in msgs if m["msg_type"] == "update_display_data"][0]["content"]
        display_id = shown["transient"]["display_id"]
        self.assertTrue(display_id)
        self.assertEqual(update["transient"]["display_id"], display_id)
        self.assertEqual(shown["data"], {"text/plain": "step 1"})
        self.assertEqual(update["data"]["text/html"], "<i>step 2</i>")
        # A later cell redraws the same output through the handle it kept.
        msg_id = self.kc.execute('bar.Update(display.Text("done"))')
        later = [m for m in self.iopub_until_idle(msg_id) if m["msg_type"] == "update_display_data"]
        self.assertEqual(later[0]["content"]["transient"]["display_id"], display_id)

    def test_clear_output_wait(self):
        reply, msgs, _ = self.run_cell('import "display"\ndisplay.Clear(true)\ndisplay.Clear(false)')
        clears = [m["content"]["wait"] for m in msgs if m["msg_type"] == "clear_output"]
        self.assertEqual(clears, [True, False])

    def test_rich_execute_result(self):
        cases = [
            ('import "display"\ndisplay.HTML("<b>x</b>")', "text/html", "<b>x</b>"),
            ('type Table struct{ Rows int }\n'
             'func (t Table) HTML() string { return "<table>rows</table>" }\n'
             'Table{2}', "text/html", "<table>rows</table>"),
            ('import "image"\nimage.NewRGBA(image.Rect(0, 0, 2, 2))', "image/png", None),
        ]
        for code, mime, want in cases:
            with self.subTest(code=code):
                reply, msgs, _ = self.run_cell(code)
                self.assertEqual(reply["content"]["status"], "ok", reply["content"])
                results = [m["content"] for m in msgs if m["msg_type"] == "execute_result"]
                self.assertEqual(len(results), 1, msgs)
                data = results[0]["data"]
                self.assertIn("text/plain", data)
                if want is None:
                    import base64
                    self.assertTrue(base64.b64decode(data[mime]).startswith(b"\x89PNG"))
                else:
                    self.assertEqual(data[mime], want)
        # Show returns a handle, which shows nothing as a value.
        reply, msgs, _ = self.run_cell('import "display"\ndisplay.Show(1)')
        self.assertEqual([m["msg_type"] for m in msgs if m["msg_type"] in ("display_data", "execute_result")], ["display_data"])

    def test_help_pages_docs(self):
        reply, msgs, _ = self.run_cell("mp.NewPool?")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        page = reply["content"]["payload"][0]
        self.assertEqual(page["source"], "page")
        self.assertIn("func NewPool", page["data"]["text/plain"])
        reply, msgs, _ = self.run_cell("?noSuchThing")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("noSuchThing", reply["content"]["evalue"])


class GompIntrospectionTests(unittest.TestCase):
    """complete_request and inspect_request beyond jupyter_kernel_test's
    samples: kinds in metadata, cursor positions in code points, doc
    comments as text/plain and text/markdown."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="gomp")
        msg_id = cls.kc.execute(
            'import (\n\t"mp"\n\t"strings"\n)\n'
            "// Pt is a point.\ntype Pt struct{ X, Y int }\n"
            "// Sum adds the coordinates.\nfunc (p Pt) Sum() int { return p.X + p.Y }\n"
            "// twice doubles n.\nfunc twice(n int) int { return 2 * n }\n"
            "pt := Pt{1, 2}\nvar sb strings.Builder\nvar pool *mp.Pool")
        reply = cls.reply_for(msg_id)
        assert reply["status"] == "ok", reply

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)

    @classmethod
    def reply_for(cls, msg_id):
        while True:
            msg = cls.kc.get_shell_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]

    def complete(self, code, cursor_pos=None):
        return self.reply_for(self.kc.complete(code, cursor_pos))

    def inspect(self, code, cursor_pos=None, detail_level=0):
        return self.reply_for(self.kc.inspect(code, cursor_pos, detail_level))

    def test_complete_members_with_types(self):
        reply = self.complete("pt.")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(reply["matches"], ["Sum", "X", "Y"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (3, 3))
        types = reply["metadata"]["_jupyter_types_experimental"]
        self.assertEqual([t["text"] for t in types], reply["matches"])
        self.assertEqual([t["type"] for t in types], ["method", "field", "field"])
        self.assertEqual(types[0]["signature"], "func (p Pt) Sum() int")
        self.assertEqual((types[0]["start"], types[0]["end"]), (3, 3))

    def test_complete_kinds(self):
        reply = self.complete("t")
        kinds = {t["text"]: t["type"] for t in reply["metadata"]["_jupyter_types_experimental"]}
        self.assertEqual(kinds["twice"], "function")
        self.assertEqual(kinds["type"], "keyword")
        self.assertEqual(kinds["true"], "constant")
        reply = self.complete("P")
        kinds = {t["text"]: t["type"] for t in reply["metadata"]["_jupyter_types_experimental"]}
        self.assertEqual(kinds["Pt"], "type")
        reply = self.complete("strings.")
        kinds = {t["text"]: t["type"] for t in reply["metadata"]["_jupyter_types_experimental"]}
        self.assertEqual(kinds["Builder"], "type")
        self.assertEqual(kinds["Fields"], "function")
        reply = self.complete("str")
        kinds = {t["text"]: t["type"] for t in reply["metadata"]["_jupyter_types_experimental"]}
        self.assertEqual(kinds["strings"], "module")

    def test_complete_value_of_a_compiled_type(self):
        reply = self.complete("pool.Ma")
        self.assertEqual(reply["matches"], ["Map", "MapAsync"])
        reply = self.complete("sb.WriteS")
        self.assertEqual(reply["matches"], ["WriteString"])

    def test_complete_cursor_in_code_points(self):
        code = "é := strings.ToU + ü"
        reply = self.complete(code, cursor_pos=16)
        self.assertEqual(reply["matches"], ["ToUpper", "ToUpperSpecial"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (13, 16))

    def test_cursor_after_astral_text(self):
        # An emoji is one code point but two UTF-16 code units (what a
        # browser's string counts) and four UTF-8 bytes: cursor positions
        # are code points both ways.
        code = 's := "😀"; strings.ToU + "😀"'
        start = code.index("ToU")
        reply = self.complete(code, cursor_pos=start + 3)
        self.assertEqual(reply["matches"], ["ToUpper", "ToUpperSpecial"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (start, start + 3))
        code = 's := "😀😀"; strings.Count'
        reply = self.inspect(code, cursor_pos=len(code))
        self.assertTrue(reply["found"], reply)
        self.assertTrue(reply["data"]["text/plain"].startswith("func Count(s, substr string) int"), reply["data"]["text/plain"])

    def test_inspect_standard_doc(self):
        reply = self.inspect('import "fmt"\nfmt.Println("x")', cursor_pos=18)
        self.assertEqual(reply["status"], "ok")
        self.assertTrue(reply["found"])
        plain, md = reply["data"]["text/plain"], reply["data"]["text/markdown"]
        self.assertTrue(plain.startswith("func Println(a ...any) (n int, err error)\n\nPrintln formats"), plain)
        self.assertTrue(md.startswith("```go\nfunc Println(a ...any) (n int, err error)\n```\n"), md)

    def test_inspect_inside_call(self):
        reply = self.inspect("strings.Repeat(\"ab\", ")
        self.assertTrue(reply["found"])
        self.assertIn("func Repeat(s string, count int) string", reply["data"]["text/plain"])

    def test_inspect_notebook_doc_comment(self):
        reply = self.inspect("twice(3)", cursor_pos=2)
        self.assertTrue(reply["found"])
        self.assertEqual(reply["data"]["text/plain"], "func twice(n int) int\n\ntwice doubles n.")
        reply = self.inspect("twice(3)", cursor_pos=2, detail_level=1)
        self.assertIn("return 2 * n", reply["data"]["text/plain"])

    def test_inspect_method_of_a_value(self):
        reply = self.inspect("pool.Map(f, xs)", cursor_pos=6)
        self.assertTrue(reply["found"])
        self.assertIn("func (p *Pool) Map(", reply["data"]["text/plain"])
        self.assertIn("Map calls fn", reply["data"]["text/markdown"])
        reply = self.inspect("pt.Sum()", cursor_pos=4)
        self.assertEqual(reply["data"]["text/plain"], "func (p Pt) Sum() int\n\nSum adds the coordinates.")

    def test_inspect_display_doc(self):
        reply = self.inspect("display.Show(v)", cursor_pos=10)
        self.assertTrue(reply["found"])
        self.assertIn("func Show(", reply["data"]["text/plain"])

    def test_inspect_not_found(self):
        reply = self.inspect("nothingHere", cursor_pos=3)
        self.assertEqual(reply["status"], "ok")
        self.assertFalse(reply["found"])
        self.assertEqual(reply["data"], {})


if __name__ == "__main__":
    unittest.main(verbosity=2)
