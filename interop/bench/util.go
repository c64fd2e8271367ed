//go:build linux

package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pqssh/pqssh/interop/harness"
)

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// shellQuote joins argv into one sh command line.
func shellQuote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// bash runs script with argv as its positional parameters.
func bash(ctx context.Context, c *harness.Container, script string, argv []string) (string, error) {
	res, err := c.Run(ctx, harness.Exec{Args: append([]string{"/bin/bash", "-c", script, "bench"}, argv...)})
	if err != nil {
		return "", err
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("exit status %d: %s", res.ExitCode, lastLines(res.Stderr))
	}
	return string(res.Stdout), nil
}

// elapsed parses "start end" ($EPOCHREALTIME values) into seconds.
func elapsed(line string) float64 {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	s, _ := strconv.ParseFloat(f[0], 64)
	e, _ := strconv.ParseFloat(f[1], 64)
	return e - s
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func lastLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], "\n")
}
