package widgets

// Box lays out other widgets in a row (HBox) or a column (VBox).
type Box struct {
	*model
}

// HBox lays children out in a row.
func HBox(children ...Widget) *Box { return newBox("HBox", children) }

// VBox lays children out in a column.
func VBox(children ...Widget) *Box { return newBox("VBox", children) }

func newBox(kind string, children []Widget) *Box {
	return &Box{newModel(kind, "", map[string]any{"children": refs(children)})}
}

func refs(children []Widget) []string {
	out := []string{}
	for _, c := range children {
		if c != nil {
			out = append(out, "IPY_MODEL_"+c.ModelID())
		}
	}
	return out
}

// SetChildren replaces what the box shows.
func (b *Box) SetChildren(children ...Widget) { b.set(map[string]any{"children": refs(children)}) }
