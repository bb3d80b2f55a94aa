package loadgen

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Handler labels the report compares.
const (
	extensionHandler = "extension"
	articleHandler   = "article"
)

// Ratio compares the two handlers at one workload and concurrency.
type Ratio struct {
	Workload    string
	Concurrency int
	Throughput  float64 // extension requests/s over the article's
	P99         float64 // the article's p99 over the extension's
}

// Ratios compares the medians of the extension's and the article's cells (without
// request ids) at each workload and concurrency, in the order the cells came.
func Ratios(cells []Cell) []Ratio {
	type key struct {
		workload    string
		concurrency int
	}
	medians := map[key]map[string]Record{}
	var order []key
	for _, c := range cells {
		if c.RequestIDs {
			continue
		}
		k := key{c.Workload, c.Concurrency}
		if medians[k] == nil {
			medians[k] = map[string]Record{}
			order = append(order, k)
		}
		medians[k][c.Handler] = c.Median()
	}
	var ratios []Ratio
	for _, k := range order {
		ext, okE := medians[k][extensionHandler]
		art, okA := medians[k][articleHandler]
		if !okE || !okA || art.RequestsPerSec == 0 || ext.P99Ms == 0 {
			continue
		}
		ratios = append(ratios, Ratio{Workload: k.workload, Concurrency: k.concurrency,
			Throughput: ext.RequestsPerSec / art.RequestsPerSec, P99: art.P99Ms / ext.P99Ms})
	}
	return ratios
}

// WriteMarkdown writes the results table (each cell's median run, with the range of
// requests/s over its runs) and the ratios.
func WriteMarkdown(w io.Writer, records []Record) {
	cells := Cells(records)
	fmt.Fprintln(w, "| workload | buyers | handler | claim requests/s | range (runs) | sales/s | p50 ms | p99 ms | answers |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---|")
	for _, c := range cells {
		handler := c.Handler
		if c.RequestIDs {
			handler += " + Idempotency-Key"
		}
		m := c.Median()
		low, high := c.Range()
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s–%s (%d) | %s | %.2f | %.2f | %s |\n", c.Workload, c.Concurrency,
			handler, thousands(m.RequestsPerSec), thousands(low), thousands(high), len(c.Runs),
			thousands(m.SalesPerSec), m.P50Ms, m.P99Ms, answers(m.Result))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| workload | buyers | extension / article, requests/s | article / extension, p99 |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, q := range Ratios(cells) {
		fmt.Fprintf(w, "| %s | %d | %.2f× | %.2f× |\n", q.Workload, q.Concurrency, q.Throughput, q.P99)
	}
	writeGoals(w, cells)
}

// answers lists the answers by status and outcome, e.g. "200 claimed 41%, 409 already_sold 59%".
func answers(r Result) string {
	var parts []string
	keys := make([]string, 0, len(r.ByOutcome))
	for k := range r.ByOutcome {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+" "+share(r.ByOutcome[k], r.Requests))
	}
	if u := r.Unexpected(); u > 0 {
		parts = append(parts, fmt.Sprintf("**%d not 200/409**", u))
	}
	return strings.Join(parts, ", ")
}

// share formats count/total as a whole percentage ("<1%" for a small nonzero share).
func share(count, total int64) string {
	p := 100 * float64(count) / float64(max64(total, 1))
	if count > 0 && p < 1 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// thousands formats a rate as an integer with commas.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
