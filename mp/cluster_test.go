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

// TestClusterFor checks which cluster a pool's options and GOMP_CLUSTER
// name: WithCluster("") is the embedded one, not a local pool.
func TestClusterFor(t *testing.T) {
	for _, tc := range []struct {
		env  string
		opts []Option
		want string
	}{
		{"", nil, ""},
		{"", []Option{WithCluster("")}, "embedded"},
		{"", []Option{WithCluster("nats://t@h:4222")}, "nats://t@h:4222"},
		{"embedded", nil, "embedded"},
		{"nats://t@h:4222", []Option{WithCluster("")}, "embedded"},
	} {
		t.Setenv("GOMP_CLUSTER", tc.env)
		var o poolOptions
		for _, opt := range tc.opts {
			opt(&o)
		}
		if got := clusterFor(o); got != tc.want {
			t.Errorf("GOMP_CLUSTER=%q, %d options: cluster %q, want %q", tc.env, len(tc.opts), got, tc.want)
		}
	}
}
