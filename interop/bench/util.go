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

// quartiles returns the lower quartile, the median and the upper quartile
// of v, interpolating linearly between neighbouring values (all 0 for an
// empty v).
func quartiles(v []float64) (q1, q2, q3 float64) {
	if len(v) == 0 {
		return 0, 0, 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	at := func(p float64) float64 {
		x := p * float64(len(v)-1)
		i := int(x)
		if i+1 >= len(v) {
			return v[len(v)-1]
		}
		return v[i] + (x-float64(i))*(v[i+1]-v[i])
	}
	return at(0.25), median(v), at(0.75)
}

// ratios returns a[i]/b[i] for the indices both have: paired measurements
// (the same round of alternating runs) of two implementations.
func ratios(a, b []float64) []float64 {
	r := make([]float64, 0, min(len(a), len(b)))
	for i := range min(len(a), len(b)) {
		r = append(r, a[i]/b[i])
	}
	return r
}
