package config

import (
	"strings"
	"testing"
)

func TestUnauthenticatedKexMemory(t *testing.T) {
	if got := Default().UnauthenticatedKexMemory; got != 64<<20 {
		t.Errorf("default %d, want 64 MiB", got)
	}
	for in, want := range map[string]int64{
		"UnauthenticatedKexMemory 8M":    8 << 20,
		"UnauthenticatedKexMemory 1g":    1 << 30,
		"UnauthenticatedKexMemory 0":     0,
		"UnauthenticatedKexMemory none":  NoKexBudget,
		"UnauthenticatedKexMemory=512K":  512 << 10,
		"unauthenticatedkexmemory 65536": 65536,
	} {
		c, err := Parse("sshd_config", []byte(in+"\n"))
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if c.UnauthenticatedKexMemory != want {
			t.Errorf("%q: %d, want %d", in, c.UnauthenticatedKexMemory, want)
		}
	}
	for _, in := range []string{"UnauthenticatedKexMemory", "UnauthenticatedKexMemory 8X", "UnauthenticatedKexMemory -1", "UnauthenticatedKexMemory 1M 2M"} {
		if _, err := Parse("sshd_config", []byte(in+"\n")); err == nil || !strings.Contains(err.Error(), "UnauthenticatedKexMemory") {
			t.Errorf("%q: error %v, want one naming the option", in, err)
		}
	}
	c, err := Parse("sshd_config", []byte("UnauthenticatedKexMemory 8M\nUnauthenticatedKexMemory 16M\n"))
	if err != nil || c.UnauthenticatedKexMemory != 8<<20 {
		t.Errorf("first value should win: %d %v", c.UnauthenticatedKexMemory, err)
	}
}

func TestPerSourceKexMemory(t *testing.T) {
	if got := Default().PerSourceKexMemory; got != 16<<20 {
		t.Errorf("default %d, want 16 MiB", got)
	}
	for in, want := range map[string]int64{
		"PerSourceKexMemory 4M":   4 << 20,
		"PerSourceKexMemory 0":    0,
		"PerSourceKexMemory none": NoKexBudget,
	} {
		c, err := Parse("sshd_config", []byte(in+"\n"))
		if err != nil || c.PerSourceKexMemory != want {
			t.Errorf("%q: %d %v, want %d", in, c.PerSourceKexMemory, err, want)
		}
	}
	if _, err := Parse("sshd_config", []byte("PerSourceKexMemory 8X\n")); err == nil || !strings.Contains(err.Error(), "PerSourceKexMemory") {
		t.Errorf("bad size: %v, want an error naming the option", err)
	}
}
