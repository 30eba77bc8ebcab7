// Package widgets gives notebook cells interactive controls: Jupyter
// widgets (ipywidgets 8 models, drawn by the widget manager JupyterLab 4
// and Notebook 7 already have) whose values Go code reads and writes and
// whose changes call Go functions. Cells write import "widgets".
//
//	s := widgets.NewIntSlider("workers", 1, 8, 2)
//	s.OnChange(func(old, new int) { fmt.Println("workers:", new) })
//	s // shows the slider; s.Value() reads it, s.SetValue(4) moves it
//
//	widgets.Interact(func(n int, scale float64) { fmt.Println(n * scale) },
//		widgets.Range(1, 10), widgets.FloatRange(0, 1, 0.1))
//
// Every widget is a model the kernel and the frontend keep in step over a
// comm ("jupyter.widget", protocol 2.1.0): a change made in the page
// reaches Go as a state update, which the kernel acknowledges with an
// echo_update; a change made in Go is sent as an update. Callbacks
// (OnChange, OnClick, Interact's function) run in the kernel between
// cells, one at a time, as cells do: a slider dragged while a cell runs
// is handled when the cell ends, and an interrupt ends a callback that
// does not return. Their output goes to the cell that made the widget, or
// into an Output widget (Output.Capture). A panicking callback shows its
// panic there; the kernel lives on.
//
// Where there is no widget manager (gomp run, nbconvert, jupyter console)
// widgets show as text and callbacks never run; Available tells whether
// a frontend with a widget manager is connected.
//
// The rest (Message, Host, SetHost, Receive, Call) is how gomp's kernel
// connects the package to the frontend; cells cannot see it.
package widgets
