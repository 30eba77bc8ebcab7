package mp

import (
	"reflect"
	"testing"
)

// TestLocalArg checks which argument types a pool on a cluster refuses:
// mp's shared objects, alone or inside other values.
func TestLocalArg(t *testing.T) {
	type holder struct {
		N int
		Q *Queue
	}
	type plain struct {
		N    int
		Tags []string
	}
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"int", 1, ""},
		{"struct of values", plain{}, ""},
		{"map of slices", map[string][]float64{}, ""},
		{"queue", &Queue{}, "*mp.Queue"},
		{"lock", &Lock{}, "*mp.Lock"},
		{"array", &Array{}, "*mp.Array"},
		{"pipe end", &Connection{}, "*mp.Connection"},
		{"queue in a struct", holder{}, "*mp.Queue"},
		{"locks in a map", map[string]*Lock{}, "*mp.Lock"},
		{"values in a slice", []*Value{}, "*mp.Value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := localArg(reflect.TypeOf(tc.v)); got != tc.want {
				t.Errorf("localArg(%T) = %q, want %q", tc.v, got, tc.want)
			}
		})
	}
}
