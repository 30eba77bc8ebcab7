"""Print the default state of every ipywidgets model gomp's widgets
package mirrors, as JSON keyed by model name, without the references to
other models (layout, style) that differ per instance. widgets/models.json
is this script's output; TestWidgetModelsMatchIpywidgets (e2e) checks that
they still agree."""

import json

import ipywidgets as w

CLASSES = [w.IntSlider, w.FloatSlider, w.IntRangeSlider, w.Dropdown, w.Checkbox,
           w.ToggleButtons, w.Text, w.Textarea, w.Button, w.IntProgress,
           w.FloatProgress, w.Label, w.HTML, w.Output, w.HBox, w.VBox]

models = {}
for cls in CLASSES:
    x = cls()
    for part in [x, getattr(x, "layout", None), getattr(x, "style", None)]:
        if part is None:
            continue
        state = part.get_state()
        state.pop("layout", None)
        state.pop("style", None)
        models[state["_model_name"]] = state
print(json.dumps(models, indent=1, sort_keys=True, ensure_ascii=False))
