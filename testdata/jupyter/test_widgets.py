"""Comms and widgets through a real Jupyter client, jupyter_client playing
the widget manager's part: widget models opened by cells, comm_info,
state updates from the frontend side with their echo_update, callbacks
and their output, the control comm, bad input. Run by TestJupyterWidgets
(e2e/jupyter_test.go) with the test venv's python."""

import unittest

from jupyter_client.manager import start_new_kernel

TIMEOUT = 60


class Kernel:
    def __init__(self):
        self.km, self.kc = start_new_kernel(kernel_name="gomp")

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def collect(self, msg_id):
        """Every iopub message up to the idle status of msg_id (messages
        parented to other requests included, in order)."""
        out = []
        while True:
            m = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if (m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                    and m["parent_header"].get("msg_id") == msg_id):
                return out
            if m["msg_type"] != "status":
                out.append(m)

    def run(self, code):
        msg_id = self.kc.execute(code)
        while True:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        return reply, self.collect(msg_id)

    def ok(self, code):
        reply, msgs = self.run(code)
        if reply["content"]["status"] != "ok":
            raise AssertionError(f"{code!r} failed: {reply['content']}")
        return msgs

    def send(self, msg_type, content, buffers=None, metadata=None):
        msg = self.kc.session.msg(msg_type, content, metadata=metadata)
        if buffers:
            msg["buffers"] = buffers
        self.kc.shell_channel.send(msg)
        return self.collect(msg["header"]["msg_id"])

    def update(self, comm_id, state, buffer_paths=None, buffers=None):
        return self.send("comm_msg", {"comm_id": comm_id, "data": {
            "method": "update", "state": state, "buffer_paths": buffer_paths or []}}, buffers=buffers)

    def comm_info(self, target=None):
        msg_id = self.kc.comm_info(target_name=target)
        while True:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg_id:
                self.collect(msg_id)
                return reply["content"]["comms"]


def of_type(msgs, msg_type):
    return [m for m in msgs if m["msg_type"] == msg_type]


def opened(msgs, model):
    """The comm_open of the model named model (IntSliderModel) in msgs."""
    for m in of_type(msgs, "comm_open"):
        if m["content"]["data"]["state"]["_model_name"] == model:
            return m
    raise AssertionError(f"no comm_open of {model} in {[m['msg_type'] for m in msgs]}")


def text(msgs, name="stdout", parent=None):
    return "".join(m["content"]["text"] for m in of_type(msgs, "stream")
                   if m["content"]["name"] == name and (parent is None or m["parent_header"].get("msg_id") == parent))


def methods(msgs, comm_id):
    return [(m["content"]["data"].get("method"), m["content"]["data"].get("state"))
            for m in of_type(msgs, "comm_msg") if m["content"]["comm_id"] == comm_id]


class Widgets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = Kernel()
        cls.k.ok('import "widgets"\nimport "fmt"')

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def slider(self, value=3):
        msgs = self.k.ok(f's := widgets.NewIntSlider("n", 0, 10, {value})\n'
                         's.OnChange(func(old, new int) {{ fmt.Println("changed", old, new) }})\ns')
        return opened(msgs, "IntSliderModel"), msgs

    def test_model_opened_and_shown(self):
        m, msgs = self.slider()
        self.assertEqual(m["content"]["target_name"], "jupyter.widget")
        self.assertEqual(m["metadata"]["version"], "2.1.0")
        st = m["content"]["data"]["state"]
        self.assertEqual((st["_model_module"], st["_model_module_version"], st["_view_name"]),
                         ("@jupyter-widgets/controls", "2.0.0", "IntSliderView"))
        self.assertEqual((st["value"], st["min"], st["max"], st["description"]), (3, 0, 10, "n"))
        layout = opened(msgs, "LayoutModel")["content"]["comm_id"]
        style = opened(msgs, "SliderStyleModel")["content"]["comm_id"]
        self.assertEqual((st["layout"], st["style"]), ("IPY_MODEL_" + layout, "IPY_MODEL_" + style))
        result = of_type(msgs, "execute_result")[0]["content"]["data"]
        view = result["application/vnd.jupyter.widget-view+json"]
        self.assertEqual((view["model_id"], view["version_major"]), (m["content"]["comm_id"], 2))
        comms = self.k.comm_info("jupyter.widget")
        for cid in (m["content"]["comm_id"], layout, style):
            self.assertEqual(comms[cid]["target_name"], "jupyter.widget")

    def test_update_round_trip(self):
        m, msgs = self.slider()
        cid = m["content"]["comm_id"]
        cell = msgs[0]["parent_header"]["msg_id"]
        out = self.k.update(cid, {"value": 7})
        self.assertEqual(methods(out, cid), [("echo_update", {"value": 7})])
        # The callback's output goes to the cell that registered it.
        self.assertEqual(text(out, parent=cell), "changed 3 7\n")
        msgs = self.k.ok("fmt.Println(s.Value())\ns.SetValue(99)")
        self.assertEqual(text(msgs), "7\nchanged 7 10\n")
        self.assertEqual(methods(msgs, cid), [("update", {"value": 10})])
        # Out of range from the page: kept in range and told back.
        out = self.k.update(cid, {"value": -5})
        self.assertEqual(methods(out, cid), [("echo_update", {"value": -5}), ("update", {"value": 0})])
        self.assertEqual(text(self.k.ok("fmt.Println(s.Value())")), "0\n")

    def test_bad_state(self):
        m, _ = self.slider(4)
        cid = m["content"]["comm_id"]
        out = self.k.update(cid, {"value": "abc"})
        self.assertEqual(methods(out, cid), [("update", {"value": 4})])
        out = self.k.update(cid, {"value": 2.5, "description": "renamed"})
        self.assertEqual(methods(out, cid), [("echo_update", {"description": "renamed"}), ("update", {"value": 4})])
        for data in [{"method": "nonsense"}, {"state": {"value": 1}}, {"method": "update", "state": "x"},
                     {"method": "update", "state": {"value": 1}, "buffer_paths": [["value"]]}]:
            out = self.k.send("comm_msg", {"comm_id": cid, "data": data})
            self.assertEqual(methods(out, cid), [], data)
        out = self.k.send("comm_msg", {"comm_id": "never-opened", "data": {"method": "update", "state": {}}})
        self.assertEqual(out, [])
        out = self.k.send("comm_open", {"comm_id": "u1", "target_name": "no.such.target", "data": {}})
        self.assertEqual([(x["msg_type"], x["content"]["comm_id"]) for x in out], [("comm_close", "u1")])
        self.assertEqual(text(self.k.ok("fmt.Println(s.Value())")), "4\n")

    def test_button_click_and_panic(self):
        msgs = self.k.ok('b := widgets.NewButton("go")\nclicks := 0\n'
                         'b.OnClick(func() { clicks++; fmt.Println("clicked", clicks) })\n'
                         'b.OnClick(func() { var m map[string]int; m["x"] = clicks })\nb')
        cid = opened(msgs, "ButtonModel")["content"]["comm_id"]
        out = self.k.send("comm_msg", {"comm_id": cid, "data": {"method": "custom", "content": {"event": "click"}}})
        self.assertEqual(text(out), "clicked 1\n")
        self.assertIn("panic", text(out, "stderr"))
        self.assertIn("assignment to entry in nil map", text(out, "stderr"))
        self.assertEqual(text(self.k.ok("fmt.Println(clicks)")), "1\n")

    def test_blocking_callback_interrupted(self):
        msgs = self.k.ok('stuck := widgets.NewButton("stuck")\nstuck.OnClick(func() { for {} })\nstuck')
        cid = opened(msgs, "ButtonModel")["content"]["comm_id"]
        msg = self.k.kc.session.msg("comm_msg", {"comm_id": cid, "data": {"method": "custom", "content": {"event": "click"}}})
        self.k.kc.shell_channel.send(msg)
        while True:
            m = self.k.kc.get_iopub_msg(timeout=TIMEOUT)
            if m["msg_type"] == "status" and m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                break
        self.k.km.interrupt_kernel()
        out = self.k.collect(msg["header"]["msg_id"])
        self.assertIn("interrupt", text(out, "stderr"))
        self.assertEqual(text(self.k.ok('fmt.Println("alive")')), "alive\n")

    def test_interact(self):
        msgs = self.k.ok('widgets.Interact(func(n int) { fmt.Println("n =", n) }, widgets.Range{0, 10, 2})')
        slider = opened(msgs, "IntSliderModel")["content"]["comm_id"]
        output = opened(msgs, "OutputModel")["content"]["comm_id"]
        self.assertEqual(methods(msgs, output)[-1],
                         ("update", {"outputs": [{"output_type": "stream", "name": "stdout", "text": "n = 2\n"}]}))
        self.assertEqual(len(of_type(msgs, "display_data")), 1)
        out = self.k.update(slider, {"value": 5})
        self.assertEqual(methods(out, output)[-1],
                         ("update", {"outputs": [{"output_type": "stream", "name": "stdout", "text": "n = 5\n"}]}))
        self.assertEqual(text(out), "")

    def test_control_comm_states(self):
        m, _ = self.slider(6)
        cid = m["content"]["comm_id"]
        self.k.send("comm_open", {"comm_id": "ctl", "target_name": "jupyter.widget.control", "data": {}},
                    metadata={"version": "1.0.0"})
        out = self.k.send("comm_msg", {"comm_id": "ctl", "data": {"method": "request_states"}})
        [reply] = of_type(out, "comm_msg")
        data = reply["content"]["data"]
        self.assertEqual(data["method"], "update_states")
        self.assertEqual(data["states"][cid]["state"]["value"], 6)
        self.assertEqual(data["states"][cid]["model_name"], "IntSliderModel")
        self.k.send("comm_close", {"comm_id": "ctl", "data": {}})
        self.assertEqual(text(self.k.ok("fmt.Println(widgets.Available())")), "true\n")

    def test_request_state(self):
        m, _ = self.slider(8)
        cid = m["content"]["comm_id"]
        out = self.k.send("comm_msg", {"comm_id": cid, "data": {"method": "request_state"}})
        [(method, state)] = methods(out, cid)
        self.assertEqual((method, state["value"], state["_model_name"]), ("update", 8, "IntSliderModel"))


class Progress(unittest.TestCase):
    """mp.WithProgress draws a progress widget once a widget manager has
    connected (its control comm), and the HTML bar before."""

    def test_html_then_widget(self):
        k = Kernel()
        self.addCleanup(k.close)
        k.ok('import "mp"\nimport "fmt"\nfunc sq(x int) int { return x * x }\np := mp.NewPool(2)\nitems := []int{1, 2, 3, 4, 5, 6, 7}')
        msgs = k.ok('r, err := p.Map(sq, items, mp.WithProgress("squares"))')
        self.assertEqual(of_type(msgs, "comm_open"), [])
        self.assertIn("<progress", of_type(msgs, "display_data")[0]["content"]["data"]["text/html"])
        k.send("comm_open", {"comm_id": "ctl", "target_name": "jupyter.widget.control", "data": {}},
               metadata={"version": "1.0.0"})
        msgs = k.ok('r, err = p.Map(sq, items, mp.WithProgress("squares"))\nfmt.Println(r, err)')
        bar = opened(msgs, "IntProgressModel")
        st = bar["content"]["data"]["state"]
        self.assertEqual((st["description"], st["max"], st["value"]), ("squares", 7, 0))
        [shown] = of_type(msgs, "display_data")
        box = opened(msgs, "HBoxModel")["content"]["comm_id"]
        self.assertEqual(shown["content"]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"], box)
        updates = {}
        for method, state in methods(msgs, bar["content"]["comm_id"]):
            self.assertEqual(method, "update")
            updates.update(state)
        self.assertEqual((updates["value"], updates["bar_style"]), (7, "success"))
        self.assertEqual(text(msgs), "[1 4 9 16 25 36 49] <nil>\n")


class Callbacks(unittest.TestCase):
    """Callbacks that start a Pool, and callbacks made before an interrupt."""

    def setUp(self):
        self.k = Kernel()
        self.addCleanup(self.k.close)
        self.k.ok('import "widgets"\nimport "fmt"\nimport "mp"\nfunc sq(x int) int { return x * x }')
        self.k.send("comm_open", {"comm_id": "ctl", "target_name": "jupyter.widget.control", "data": {}},
                    metadata={"version": "1.0.0"})

    def click(self, msgs):
        cid = opened(msgs, "ButtonModel")["content"]["comm_id"]
        return self.k.send("comm_msg", {"comm_id": cid, "data": {"method": "custom", "content": {"event": "click"}}})

    def test_pool_from_a_callback(self):
        msgs = self.k.ok('n := widgets.NewIntSlider("workers", 1, 4, 2)\nout := widgets.NewOutput()\n'
                         'b := widgets.NewButton("run")\n'
                         'b.OnClick(func() {\n\tp := mp.NewPool(n.Value())\n\tdefer p.Close()\n'
                         '\tr, err := p.Map(sq, []int{1, 2, 3}, mp.WithProgress("in a callback"))\n'
                         '\tfmt.Println("pool gave", r, err)\n'
                         '\tout.Capture(func() { fmt.Println("captured", len(r)) })\n})\nwidgets.VBox(n, b, out)')
        cell = msgs[0]["parent_header"]["msg_id"]
        output = opened(msgs, "OutputModel")["content"]["comm_id"]
        out = self.click(msgs)
        self.assertEqual(text(out, parent=cell), "pool gave [1 4 9] <nil>\n")
        bar = opened(out, "IntProgressModel")
        self.assertEqual(bar["content"]["data"]["state"]["description"], "in a callback")
        final = {}
        for _, state in methods(out, bar["content"]["comm_id"]):
            final.update(state)
        self.assertEqual((final["value"], final["bar_style"]), (3, "success"))
        self.assertEqual(methods(out, output)[-1][1]["outputs"][0]["text"], "captured 3\n")

    def test_callback_made_before_an_interrupt(self):
        # yaegi ends the functions of an interrupted run: a closure kept in
        # a variable before an interrupt may do nothing after it (interp's
        # TestCall pins that for an interrupted callback; after an
        # interrupted cell, as here, it depends on where the interrupt
        # landed), while a func literal written in the call still runs.
        # Either way the cell's stderr warns, once.
        kept = self.k.ok('b1 := widgets.NewButton("kept")\nf := func() { fmt.Println("ran kept") }\nb1.OnClick(f)\nb1')
        direct = self.k.ok('b2 := widgets.NewButton("direct")\nb2.OnClick(func() { fmt.Println("ran direct") })\nb2')
        msg_id = self.k.kc.execute("for {}")
        while True:
            m = self.k.kc.get_iopub_msg(timeout=TIMEOUT)
            if m["msg_type"] == "status" and m["parent_header"].get("msg_id") == msg_id:
                break
        self.k.km.interrupt_kernel()
        self.k.collect(msg_id)
        out = self.click(kept)
        self.assertIn("registered before the kernel was interrupted", text(out, "stderr"))
        self.assertIn(text(out), ("", "ran kept\n"))
        out = self.click(direct)
        self.assertIn("registered before the kernel was interrupted", text(out, "stderr"))
        self.assertEqual(text(out), "ran direct\n")
        out = self.click(direct)
        self.assertEqual((text(out), text(out, "stderr")), ("ran direct\n", ""))

if __name__ == "__main__":
    unittest.main()
