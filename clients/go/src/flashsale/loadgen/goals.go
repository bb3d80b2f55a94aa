package loadgen

import (
	"fmt"
	"io"
)

// The goals of issue 21, as ratios of cell medians within one run.

// median finds the median run of a cell, if the run has it.
func median(cells []Cell, workload string, concurrency int, handler string, ids bool) (Record, bool) {
	for _, c := range cells {
		if c.Workload == workload && c.Concurrency == concurrency && c.Handler == handler && c.RequestIDs == ids {
			return c.Median(), true
		}
	}
	return Record{}, false
}

func concurrencies(cells []Cell, workload string) []int {
	seen := map[int]bool{}
	var out []int
	for _, c := range cells {
		if c.Workload == workload && !seen[c.Concurrency] {
			seen[c.Concurrency] = true
			out = append(out, c.Concurrency)
		}
	}
	return out
}

func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// writeGoals writes the goals' table: coalesced against Redis with appendfsync always
// (sales/s and p99, spread, 64 buyers and more), coalesced against the article's handler
// (sales/s, spread), and keyed against unkeyed refusals (hot, requests/s).
func writeGoals(w io.Writer, cells []Cell) {
	type row struct {
		goal, cell, value string
		met               bool
	}
	var rows []row
	for _, n := range concurrencies(cells, "spread") {
		co, ok1 := median(cells, "spread", n, "coalesced", false)
		ra, ok2 := median(cells, "spread", n, "redis-always", false)
		if ok1 && ok2 && ra.SalesPerSec > 0 && n >= 64 {
			rows = append(rows, row{"coalesced ≥ Redis always, sales/s, p99 no worse", fmt.Sprintf("spread, %d buyers", n),
				fmt.Sprintf("%.2f× sales/s; p99 %.1f / %.1f ms", co.SalesPerSec/ra.SalesPerSec, co.P99Ms, ra.P99Ms),
				co.SalesPerSec >= ra.SalesPerSec && co.P99Ms <= ra.P99Ms})
		}
	}
	for _, n := range concurrencies(cells, "spread") {
		co, ok1 := median(cells, "spread", n, "coalesced", false)
		ar, ok2 := median(cells, "spread", n, "article", false)
		if ok1 && ok2 && ar.SalesPerSec > 0 {
			rows = append(rows, row{"coalesced ≥ 4× article, sales/s", fmt.Sprintf("spread, %d buyers", n),
				fmt.Sprintf("%.2f×", co.SalesPerSec/ar.SalesPerSec), co.SalesPerSec >= 4*ar.SalesPerSec})
		}
	}
	for _, handler := range []string{"extension", "coalesced"} {
		for _, n := range concurrencies(cells, "hot") {
			keyed, ok1 := median(cells, "hot", n, handler, true)
			plain, ok2 := median(cells, "hot", n, handler, false)
			if ok1 && ok2 && plain.RequestsPerSec > 0 {
				rows = append(rows, row{"hot keyed ≥ 0.9× hot unkeyed, requests/s", fmt.Sprintf("%s, %d buyers", handler, n),
					fmt.Sprintf("%.2f×", keyed.RequestsPerSec/plain.RequestsPerSec),
					keyed.RequestsPerSec >= 0.9*plain.RequestsPerSec})
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| goal | cell | ratio | met |")
	fmt.Fprintln(w, "|---|---|---:|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.goal, r.cell, r.value, verdict(r.met))
	}
}
