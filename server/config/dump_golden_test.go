package config

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pqssh/pqssh/internal/golden"
)

// goldenConns are the connections each golden configuration is also
// resolved for, as pqsshd -T -C prints it.
var goldenConns = []ConnInfo{
	{User: "alice", Groups: []string{"staff"}, Address: "192.0.2.7", Host: "192.0.2.7", LocalAddr: "198.51.100.1", LocalPort: 2222},
	{User: "bob", Groups: []string{"users"}, Address: "2001:db8::5", Host: "2001:db8::5", LocalAddr: "198.51.100.2", LocalPort: 22},
}

var includeLine = regexp.MustCompile(`(?mi)^[ \t]*include[ \t=].*$`)

// TestDumpGolden: the -T output of the repository's configurations (the
// files in testdata/dump, the stock Debian files of cmd/pqsshd/testdata and
// contrib's example), globally and for two connections, is byte for byte
// the recorded one. Include lines are dropped, so that the result does not
// depend on the machine's /etc/ssh. Run with -update to record anew (package golden).
func TestDumpGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/dump/*.conf")
	stock, _ := filepath.Glob("../../cmd/pqsshd/testdata/sshd_config.*")
	files = append(append(files, stock...), "../../contrib/systemd/pqsshd_config.example")
	if len(files) < 6 {
		t.Fatalf("only %d configurations found", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = includeLine.ReplaceAll(data, nil)
		c, err := Parse("/etc/pqssh/sshd_config", data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var out bytes.Buffer
		out.WriteString("# global\n")
		c.Dump(&out)
		for _, ci := range goldenConns {
			out.WriteString("# -C user=" + ci.User + ",addr=" + ci.Address + "\n")
			c.ForConnection(ci).Dump(&out)
		}
		goldenFile := filepath.Join("testdata/dump", strings.TrimSuffix(filepath.Base(f), ".conf")+".golden")
		golden.Check(t, goldenFile, out.Bytes())
	}
}
