// Reads JSON-RPC messages (one per line on stdin) the way Go MCP servers do,
// with encoding/json into tagged structs, and prints what each names: the
// oracle for how a Go server reads member names (case-insensitively, last
// copy wins). One JSON line out per line in; {"error": ...} when Go refuses it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

type message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      any             `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

type params struct {
	Name string `json:"name"`
	URI  string `json:"uri"`
}

type reading struct {
	Method string `json:"method"`
	HasID  bool   `json:"hasId"`
	ID     any    `json:"id"`
	Name   string `json:"name"`
	URI    string `json:"uri"`
	Error  string `json:"error,omitempty"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var m message
		var r reading
		if err := json.Unmarshal(in.Bytes(), &m); err != nil {
			r.Error = err.Error()
		} else {
			r.Method, r.HasID, r.ID = m.Method, m.ID != nil, m.ID
			var p params
			if len(m.Params) > 0 && json.Unmarshal(m.Params, &p) == nil {
				r.Name, r.URI = p.Name, p.URI
			}
		}
		if err := out.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
