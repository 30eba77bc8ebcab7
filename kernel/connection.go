package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
)

// ConnectionInfo is a Jupyter connection file: where the kernel binds its
// five sockets and how it signs messages.
type ConnectionInfo struct {
	Transport       string `json:"transport"` // "tcp" or "ipc"
	IP              string `json:"ip"`        // for ipc, the path prefix of the socket files
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`              // empty: messages are not signed
	SignatureScheme string `json:"signature_scheme"` // "hmac-sha256"
	KernelName      string `json:"kernel_name,omitempty"`
}

// connectionFile mirrors ConnectionInfo with pointers, so that a missing
// field can be told from a zero one.
type connectionFile struct {
	Transport       *string `json:"transport"`
	IP              *string `json:"ip"`
	ShellPort       *int    `json:"shell_port"`
	ControlPort     *int    `json:"control_port"`
	StdinPort       *int    `json:"stdin_port"`
	IOPubPort       *int    `json:"iopub_port"`
	HBPort          *int    `json:"hb_port"`
	Key             *string `json:"key"`
	SignatureScheme *string `json:"signature_scheme"`
	KernelName      string  `json:"kernel_name"`
}

// ReadConnectionFile reads and checks the connection file at path. Errors
// name the file and the offending field. A port of 0 asks the kernel to
// pick a free one (Server.Connection reports which); a missing transport
// means "tcp" and a missing signature_scheme "hmac-sha256", as in
// jupyter_client.
func ReadConnectionFile(path string) (ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("read connection file: %w", err)
	}
	info, err := parseConnection(data)
	if err != nil {
		return ConnectionInfo{}, fmt.Errorf("connection file %s: %w", path, err)
	}
	return info, nil
}

// parseConnection decodes and validates the content of a connection file.
func parseConnection(data []byte) (ConnectionInfo, error) {
	var f connectionFile
	if err := json.Unmarshal(data, &f); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return ConnectionInfo{}, fmt.Errorf("field %q: got a JSON %s, want %s", typeErr.Field, typeErr.Value, typeErr.Type)
		}
		return ConnectionInfo{}, fmt.Errorf("not valid JSON: %w", err)
	}
	info := ConnectionInfo{Transport: "tcp", SignatureScheme: "hmac-sha256", KernelName: f.KernelName}
	if f.Transport != nil {
		info.Transport = *f.Transport
	}
	if info.Transport != "tcp" && info.Transport != "ipc" {
		return ConnectionInfo{}, fmt.Errorf("field \"transport\": %q is not supported (want tcp or ipc)", info.Transport)
	}
	if f.IP == nil || *f.IP == "" {
		return ConnectionInfo{}, errors.New("field \"ip\": missing")
	}
	info.IP = *f.IP
	ports := []struct {
		name string
		src  *int
		dst  *int
	}{
		{"shell_port", f.ShellPort, &info.ShellPort},
		{"control_port", f.ControlPort, &info.ControlPort},
		{"stdin_port", f.StdinPort, &info.StdinPort},
		{"iopub_port", f.IOPubPort, &info.IOPubPort},
		{"hb_port", f.HBPort, &info.HBPort},
	}
	for _, p := range ports {
		if p.src == nil {
			return ConnectionInfo{}, fmt.Errorf("field %q: missing", p.name)
		}
		if *p.src < 0 || *p.src > 65535 {
			return ConnectionInfo{}, fmt.Errorf("field %q: %d is not a port number (0-65535)", p.name, *p.src)
		}
		if *p.src == 0 && info.Transport == "ipc" {
			return ConnectionInfo{}, fmt.Errorf("field %q: 0 only picks a free port for tcp; ipc needs a number", p.name)
		}
		*p.dst = *p.src
	}
	if f.Key != nil {
		info.Key = *f.Key
	}
	if f.SignatureScheme != nil {
		info.SignatureScheme = *f.SignatureScheme
	}
	if info.Key != "" && info.SignatureScheme != "hmac-sha256" {
		return ConnectionInfo{}, fmt.Errorf("field \"signature_scheme\": %q is not supported (want hmac-sha256)", info.SignatureScheme)
	}
	return info, nil
}

// endpoint is the ZeroMQ address of port: tcp://ip:port, or ipc://ip-port
// as jupyter_client names ipc sockets.
func (c ConnectionInfo) endpoint(port int) string {
	if c.Transport == "ipc" {
		return "ipc://" + c.IP + "-" + strconv.Itoa(port)
	}
	return "tcp://" + net.JoinHostPort(c.IP, strconv.Itoa(port))
}
