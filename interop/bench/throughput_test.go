//go:build linux

package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseTransfer(t *testing.T) {
	// 2^30 bytes in 2 s, client 1.5 + 0.5 s CPU, server 3 s.
	got, err := parseTransfer("100.000000 102.000000 1.500 0.500 1073741824\n", 1<<30, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if want := (transfer{rate: 1 << 29, clientCPU: 2, serverCPU: 3}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// Half a GiB: CPU is scaled to a GiB.
	got, err = parseTransfer("1 2 0.250 0.250 536870912", 1<<29, time.Second)
	if err != nil || got.clientCPU != 1 || got.serverCPU != 2 {
		t.Errorf("half a GiB: %+v, %v", got, err)
	}
	for _, bad := range []string{
		"1 2 0.1 0.1 1073741823", // a byte missing
		"1 2 0.1 0.1",
		"2 1 0.1 0.1 1073741824",
		"1 2 x 0.1 1073741824",
	} {
		if _, err := parseTransfer(bad, 1<<30, 0); err == nil {
			t.Errorf("parseTransfer(%q) accepted it", bad)
		}
	}
}

// TestFlowScripts runs every flow's script with a stand-in client (a shell
// that runs the remote command locally) and checks the counts it reports:
// each reader drains everything, and an upload counts its input.
func TestFlowScripts(t *testing.T) {
	const size = 300000
	fs := flows([]string{"aes128-gcm@openssh.com"})
	if len(fs) != 4 || !fs[3].upload {
		t.Fatalf("flows: %+v", fs)
	}
	for _, f := range fs {
		out, err := exec.Command("bash", "-c", f.script(size), "bench", "sh", "-c", f.remote(size)).Output()
		if err != nil {
			t.Fatalf("%s %s: %v", f.direction(), f.drain(), err)
		}
		if _, err := parseTransfer(string(out), size, 0); err != nil {
			t.Errorf("%s %s: %v (output %q)", f.direction(), f.drain(), err, out)
		}
	}
}

func TestFlowRowsAndChart(t *testing.T) {
	bs, err := selectBaselines([]string{"10.6"})
	if err != nil {
		t.Fatal(err)
	}
	r := flowResult{
		base: bs[0],
		flow: flow{cipher: "chacha20-poly1305@openssh.com", reader: readDD},
		pqssh: []transfer{
			{rate: 400e6, clientCPU: 2, serverCPU: 1},
			{rate: 500e6, clientCPU: 1, serverCPU: 1},
			{rate: 450e6, clientCPU: 1.5, serverCPU: 1},
		},
		openssh: []transfer{
			{rate: 1000e6, clientCPU: 1, serverCPU: 2},
			{rate: 800e6, clientCPU: 1, serverCPU: 2},
			{rate: 900e6, clientCPU: 1, serverCPU: 2},
		},
	}
	want := "| 10.6 | chacha20-poly1305@openssh.com | download | `dd bs=4k` | 450 MB/s (400–500) | 900 MB/s (800–1000) | 0.50 (0.40–0.62) | 1.50 s | 1.00 s | 1.50 | 1.00 s | 2.00 s | 0.50 |"
	if got := r.row(); got != want {
		t.Errorf("row\n got %s\nwant %s", got, want)
	}
	if h, c := strings.Count(strings.Split(throughputHeader, "\n")[0], "|"), strings.Count(r.row(), "|"); h != c {
		t.Errorf("%d columns in the header, %d in the row", h-1, c-1)
	}

	rows := chartRows([]flowResult{r})
	if len(rows) != 1 || rows[0].ratio[0] != 0.5 || rows[0].ratio[1] != 1.5 || rows[0].ratio[2] != 0.5 {
		t.Fatalf("chart rows %+v", rows)
	}
	if rows[0].lo[0] != 0.4 || rows[0].hi[0] != 0.625 {
		t.Errorf("whisker %v–%v, want 0.4–0.625", rows[0].lo[0], rows[0].hi[0])
	}
	path := filepath.Join(t.TempDir(), "chart.svg")
	if err := writeChart(path, []flowResult{r, r}); err != nil {
		t.Fatal(err)
	}
	svg := renderChart("t <&>", throughputPanels, chartRows([]flowResult{r, r}))
	// Well-formed XML, a bar per row and panel, the labels escaped.
	d := xml.NewDecoder(bytes.NewReader(svg))
	bars := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			for _, a := range se.Attr {
				if a.Name.Local == "fill" && (a.Value == "#4caf50" || a.Value == "#e8963c") {
					bars++
				}
			}
		}
	}
	if bars != 2*len(throughputPanels) {
		t.Errorf("%d bars, want %d", bars, 2*len(throughputPanels))
	}
	if !bytes.Contains(svg, []byte("10.6 chacha20-poly1305 download dd bs=4k")) || !bytes.Contains(svg, []byte("t &lt;&amp;&gt;")) {
		t.Errorf("labels missing or unescaped:\n%s", svg)
	}
	// Throughput 0.5 is on the bad side (orange), server CPU 0.5 on the good side (green).
	if !bytes.Contains(svg, []byte(`fill="#e8963c"`)) || !bytes.Contains(svg, []byte(`fill="#4caf50"`)) {
		t.Error("bars not coloured by side of 1.0")
	}
}
