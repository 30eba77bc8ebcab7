package kernel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadConnectionFile(t *testing.T) {
	const full = `{"transport":"tcp","ip":"127.0.0.1","shell_port":5001,"control_port":5002,"stdin_port":5003,
		"iopub_port":5004,"hb_port":5005,"key":"k","signature_scheme":"hmac-sha256","kernel_name":"gomp"}`
	for _, tc := range []struct {
		name    string
		content string // "" with noFile: the file does not exist
		noFile  bool
		want    ConnectionInfo
		wantErr []string // substrings of the error, besides the file name
	}{
		{name: "full", content: full, want: ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: 5001,
			ControlPort: 5002, StdinPort: 5003, IOPubPort: 5004, HBPort: 5005, Key: "k", SignatureScheme: "hmac-sha256", KernelName: "gomp"}},
		{name: "defaults", content: `{"ip":"::1","shell_port":0,"control_port":0,"stdin_port":0,"iopub_port":0,"hb_port":0}`,
			want: ConnectionInfo{Transport: "tcp", IP: "::1", SignatureScheme: "hmac-sha256"}},
		{name: "ipc", content: strings.Replace(full, `"tcp"`, `"ipc"`, 1), want: ConnectionInfo{Transport: "ipc", IP: "127.0.0.1", ShellPort: 5001,
			ControlPort: 5002, StdinPort: 5003, IOPubPort: 5004, HBPort: 5005, Key: "k", SignatureScheme: "hmac-sha256", KernelName: "gomp"}},
		{name: "missing file", noFile: true, wantErr: []string{"read connection file"}},
		{name: "not JSON", content: "{", wantErr: []string{"not valid JSON"}},
		{name: "port is a string", content: strings.Replace(full, "5001", `"5001"`, 1), wantErr: []string{`"shell_port"`, "string"}},
		{name: "missing port", content: strings.Replace(full, `"hb_port":5005,`, "", 1), wantErr: []string{`"hb_port"`, "missing"}},
		{name: "port out of range", content: strings.Replace(full, "5004", "70000", 1), wantErr: []string{`"iopub_port"`, "70000"}},
		{name: "missing ip", content: strings.Replace(full, `"ip":"127.0.0.1",`, "", 1), wantErr: []string{`"ip"`, "missing"}},
		{name: "bad transport", content: strings.Replace(full, `"tcp"`, `"udp"`, 1), wantErr: []string{`"transport"`, "udp"}},
		{name: "ipc with port 0", content: strings.Replace(strings.Replace(full, `"tcp"`, `"ipc"`, 1), "5002", "0", 1), wantErr: []string{`"control_port"`, "ipc"}},
		{name: "bad scheme", content: strings.Replace(full, "hmac-sha256", "hmac-md5", 1), wantErr: []string{`"signature_scheme"`, "hmac-md5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kernel-1.json")
			if !tc.noFile {
				if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ReadConnectionFile(path)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.want {
					t.Errorf("got %+v, want %+v", got, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %+v, want an error", got)
			}
			for _, s := range append(tc.wantErr, path) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name string
		conn ConnectionInfo
		want string
	}{
		{"tcp", ConnectionInfo{Transport: "tcp", IP: "127.0.0.1"}, "tcp://127.0.0.1:5000"},
		{"tcp ipv6", ConnectionInfo{Transport: "tcp", IP: "::1"}, "tcp://[::1]:5000"},
		{"zero transport is tcp", ConnectionInfo{IP: "0.0.0.0"}, "tcp://0.0.0.0:5000"},
		{"ipc", ConnectionInfo{Transport: "ipc", IP: "/tmp/kernel"}, "ipc:///tmp/kernel-5000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.conn.endpoint(5000); got != tc.want {
				t.Errorf("endpoint = %q, want %q", got, tc.want)
			}
		})
	}
}
