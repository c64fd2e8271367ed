package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/internal/golden"
)

// goldenHosts are the host names each golden configuration is resolved
// for, as pqssh -G prints it.
var goldenHosts = []string{"web1", "web3", "db.internal", "plain", "minus", "caret", "other"}

// TestDumpGolden: the -G output of the configurations in testdata/dump, for
// each of goldenHosts, is byte for byte the recorded one. Run with -update
// to record anew.
func TestDumpGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/dump/*.conf")
	if len(files) < 3 {
		t.Fatalf("only %d configurations found", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		for _, h := range goldenHosts {
			out.WriteString("# host " + h + "\n")
			o := NewOptions(Context{Host: h, LocalUser: "alice", Home: "/home/alice", Version: "pqssh-test"})
			if err := o.Parse(bytes.NewReader(data), "/home/alice/.ssh/config", true); err != nil {
				out.WriteString("error: " + err.Error() + "\n")
				continue
			}
			r, err := o.Resolve()
			if err != nil {
				out.WriteString("error: " + err.Error() + "\n")
				continue
			}
			r.Dump(&out)
		}
		goldenFile := strings.TrimSuffix(f, ".conf") + ".golden"
		golden.Check(t, goldenFile, out.Bytes())
	}
}
