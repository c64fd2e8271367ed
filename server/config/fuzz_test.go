package config

import "testing"

// FuzzParse: any configuration text either parses or gives an error; it
// never panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Port 22\nKexAlgorithms +mlkem768x25519-sha256\n",
		"Match User a Address 10.0.0.0/8\n\tAcceptEnv \"A B\" 'C'\n",
		"Banner=\"x\\\"y\"\n# c\n",
		"MaxStartups 1:2:3\nLoginGraceTime 1h2m3s\n",
		"Include /nonexistent/*\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse("/fuzz/sshd_config", []byte(s))
		if err == nil {
			c.ForConnection(ConnInfo{User: "u", Address: "192.0.2.1", Groups: []string{"g"}})
		}
	})
}
