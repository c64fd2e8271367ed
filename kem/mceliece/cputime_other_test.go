//go:build !linux

package mceliece

import (
	"testing"
	"time"
)

func processCPU() time.Duration           { return 0 }
func reportCPU(*testing.B, time.Duration) {}
