package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDefaultConfigFile checks the default configuration file: /etc/pqssh/pqsshd_config
// for root, a per-user path (beside the per-user host keys) otherwise, and
// that parseFlags uses it when -f is absent.
func TestDefaultConfigFile(t *testing.T) {
	want := SystemConfigFile
	if os.Geteuid() != 0 {
		base, err := os.UserConfigDir()
		if err != nil {
			t.Fatal(err)
		}
		want = filepath.Join(base, "pqsshd", "pqsshd_config")
	}
	if got := defaultConfigFile(); got != want {
		t.Fatalf("default configuration %q, want %q", got, want)
	}
	if SystemConfigFile != "/etc/pqssh/pqsshd_config" {
		t.Fatalf("system configuration %q", SystemConfigFile)
	}
	f, err := parseFlags([]string{"-D"})
	if err != nil {
		t.Fatal(err)
	}
	if f.configFile != want || f.configGiven {
		t.Fatalf("without -f: configFile %q (given %v), want %q", f.configFile, f.configGiven, want)
	}
	f, err = parseFlags([]string{"-f", "/x/y"})
	if err != nil || f.configFile != "/x/y" {
		t.Fatalf("-f /x/y: %q %v", f.configFile, err)
	}
}
