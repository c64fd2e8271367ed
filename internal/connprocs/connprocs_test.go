package connprocs

import (
	"os"
	"runtime"
	"testing"
)

// TestLimitOneProcessor: without GOMAXPROCS in the environment, Limit
// leaves the process on one processor.
func TestLimitOneProcessor(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	t.Setenv(Env, "")
	if err := os.Unsetenv(Env); err != nil {
		t.Fatal(err)
	}
	if !Limit() {
		t.Fatal("Limit() = false without GOMAXPROCS in the environment")
	}
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("GOMAXPROCS after Limit = %d, want 1", n)
	}
}

// TestLimitLeavesAnExplicitSetting: GOMAXPROCS in the environment is the
// user's choice, which Limit keeps.
func TestLimitLeavesAnExplicitSetting(t *testing.T) {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	t.Setenv(Env, "2")
	if Limit() {
		t.Fatal("Limit() = true with GOMAXPROCS=2 in the environment")
	}
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Fatalf("GOMAXPROCS after Limit = %d, want the 2 it had", n)
	}
}
