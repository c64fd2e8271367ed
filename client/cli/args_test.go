package cli

import (
	"slices"
	"testing"

	"github.com/pqssh/pqssh/client/config"
)

// TestFlagsOverrideOptions: as in ssh(1), flags that assign a setting
// directly (-a/-A, -C, -N, -n, -e, ...) beat -o lines and the file whatever
// their order, the last flag winning; -l and -p stay first-obtained.
func TestFlagsOverrideOptions(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want []string // lines that must come first, in this order
	}{
		{[]string{"-o", "ForwardAgent=yes", "-a", "h"}, []string{"ForwardAgent no"}},
		{[]string{"-a", "-o", "ForwardAgent=yes", "h"}, []string{"ForwardAgent no"}},
		{[]string{"-a", "-A", "h"}, []string{"ForwardAgent yes"}},
		{[]string{"-o", "EscapeChar=none", "-e", "^]", "h"}, []string{"EscapeChar ^]"}},
		{[]string{"-o", "SessionType=default", "-N", "h"}, []string{"SessionType none"}},
	} {
		a, err := parseArgs(tc.argv)
		if err != nil {
			t.Fatalf("%q: %v", tc.argv, err)
		}
		if len(a.options) < len(tc.want) || !slices.Equal(a.options[:len(tc.want)], tc.want) {
			t.Errorf("%q: options %q, want them to start with %q", tc.argv, a.options, tc.want)
		}
	}
	// End to end through the resolver: -a wins over -o ForwardAgent=yes.
	a, err := parseArgs([]string{"-o", "ForwardAgent=yes", "-a", "-l", "first", "-o", "User=second", "h"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := config.Load(config.Context{Host: "h", LocalUser: "me", Home: t.TempDir()}, a.options, "none")
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r.ForwardAgent != "no" || r.User != "first" {
		t.Errorf("resolved ForwardAgent=%q User=%q, want no and first", r.ForwardAgent, r.User)
	}
}
