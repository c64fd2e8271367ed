//go:build linux

package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"os"
	"slices"
)

// A chartPanel is one column of bars: a ratio of pqssh over OpenSSH with
// 1.0 marked, and which side of 1.0 is good for pqssh.
type chartPanel struct {
	title        string
	higherBetter bool
}

// A chartRow is one measured flow: its label and, per panel, the ratio
// (the bar) and the range of the run-by-run ratios (the whisker; lo = hi
// = 0 for none).
type chartRow struct {
	label  string
	ratio  []float64
	lo, hi []float64
}

var throughputPanels = []chartPanel{
	{"throughput, pqssh / OpenSSH", true},
	{"client CPU per byte, pqssh / ssh", false},
	{"server CPU per byte, pqsshd / sshd", false},
}

// chartRows turns throughput results into chart rows.
func chartRows(rs []flowResult) []chartRow {
	var rows []chartRow
	for _, r := range rs {
		rr := ratios(rates(r.pqssh), rates(r.openssh))
		cr := ratios(clientCPUs(r.pqssh), clientCPUs(r.openssh))
		sr := ratios(serverCPUs(r.pqssh), serverCPUs(r.openssh))
		row := chartRow{
			label: fmt.Sprintf("%s %s %s %s", r.base.version, shortCipher(r.flow.cipher), r.flow.direction(), r.flow.drain()),
			ratio: []float64{r.rateRatio(), r.clientCPURatio(), r.serverCPURatio()},
		}
		for _, v := range [][]float64{rr, cr, sr} {
			if len(v) == 0 {
				row.lo, row.hi = append(row.lo, 0), append(row.hi, 0)
				continue
			}
			row.lo, row.hi = append(row.lo, slices.Min(v)), append(row.hi, slices.Max(v))
		}
		rows = append(rows, row)
	}
	return rows
}

// shortCipher drops the @openssh.com suffix.
func shortCipher(c string) string {
	if i := len(c) - len("@openssh.com"); i > 0 && c[i:] == "@openssh.com" {
		return c[:i]
	}
	return c
}

// writeChart renders the throughput results as an SVG chart into path.
func writeChart(path string, rs []flowResult) error {
	svg := renderChart("pqssh → pqsshd against OpenSSH → OpenSSH, same run (bars: median ratio; whiskers: lowest and highest run-by-run ratio)", throughputPanels, chartRows(rs))
	if err := os.WriteFile(path, svg, 0o644); err != nil {
		return fmt.Errorf("writing the chart: %w", err)
	}
	return nil
}

// Layout of the chart, in SVG user units (pixels).
const (
	chartLabelWidth = 330
	chartPanelWidth = 230
	chartPanelGap   = 20
	chartRowHeight  = 22
	chartTop        = 60
	chartBottom     = 30
)

// renderChart draws one horizontal bar per row and panel. Each panel's
// scale runs from 0 to the largest value it shows (at least 1.5), with a
// dashed line at 1.0; a bar is green when pqssh is on the good side of
// 1.0 and orange when not.
func renderChart(title string, panels []chartPanel, rows []chartRow) []byte {
	width := chartLabelWidth + len(panels)*(chartPanelWidth+chartPanelGap)
	height := chartTop + len(rows)*chartRowHeight + chartBottom
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="8" y="18" font-size="13" font-weight="bold">%s</text>`+"\n", html.EscapeString(title))
	for i, row := range rows {
		y := chartTop + i*chartRowHeight
		if i%2 == 1 {
			fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="%d" fill="#f3f3f3"/>`+"\n", y, width, chartRowHeight)
		}
		fmt.Fprintf(&b, `<text x="8" y="%d">%s</text>`+"\n", y+15, html.EscapeString(row.label))
	}
	for p, panel := range panels {
		x0 := chartLabelWidth + p*(chartPanelWidth+chartPanelGap)
		scale := 1.5
		for _, row := range rows {
			scale = math.Max(scale, math.Max(row.ratio[p], row.hi[p]))
		}
		scale = math.Ceil(scale*2) / 2
		px := func(v float64) float64 { return float64(x0) + v/scale*chartPanelWidth }
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", x0, chartTop-24, html.EscapeString(panel.title))
		better := "higher is better"
		if !panel.higherBetter {
			better = "lower is better"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555">%s</text>`+"\n", x0, chartTop-9, better)
		for i, row := range rows {
			y := chartTop + i*chartRowHeight
			v := row.ratio[p]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			good := v >= 1
			if !panel.higherBetter {
				good = v <= 1
			}
			color := "#e8963c"
			if good {
				color = "#4caf50"
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x0, y+4, px(v)-float64(x0), chartRowHeight-8, color)
			if row.hi[p] > 0 {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333"/>`+"\n", px(row.lo[p]), y+11, px(row.hi[p]), y+11)
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11">%.2f</text>`+"\n", math.Max(px(v), px(row.hi[p]))+4, y+15, v)
		}
		bottom := chartTop + len(rows)*chartRowHeight
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="4 3"/>`+"\n", px(1), chartTop, px(1), bottom)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000"/>`+"\n", x0, chartTop, x0, bottom)
		for t := 0.0; t <= scale+1e-9; t += 0.5 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%.1f</text>`+"\n", px(t), bottom+14, t)
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}
