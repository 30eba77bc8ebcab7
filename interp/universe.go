package interp

// universe holds Go's predeclared identifiers, each with what it is as
// completion names it: "type", "constant", "variable" (nil) or
// "function". The undefined-name search, completion, inspection and the
// conversion test all read it.
var universe = map[string]string{
	// types
	"any": "type", "bool": "type", "byte": "type", "comparable": "type", "complex64": "type",
	"complex128": "type", "error": "type", "float32": "type", "float64": "type", "int": "type",
	"int8": "type", "int16": "type", "int32": "type", "int64": "type", "rune": "type",
	"string": "type", "uint": "type", "uint8": "type", "uint16": "type", "uint32": "type",
	"uint64": "type", "uintptr": "type",
	// constants
	"true": "constant", "false": "constant", "iota": "constant",
	// the zero value of pointers, slices, maps...
	"nil": "variable",
	// built-in functions
	"append": "function", "cap": "function", "clear": "function", "close": "function",
	"complex": "function", "copy": "function", "delete": "function", "imag": "function",
	"len": "function", "make": "function", "max": "function", "min": "function", "new": "function",
	"panic": "function", "print": "function", "println": "function", "real": "function",
	"recover": "function",
}
