package loadgen

import (
	"bytes"
	"strings"
	"testing"
)

func rec(handler, workload string, conc int, rps, p99 float64, ids bool) Record {
	return Record{Handler: handler, Workload: workload, Concurrency: conc, RequestIDs: ids,
		Result: Result{RequestsPerSec: rps, P99Ms: p99, Requests: 10, ByOutcome: map[string]int64{"claimed": 4, "already_sold": 6},
			ByStatus: map[string]int64{"200": 4, "409": 6}}}
}

func TestRatiosPairHandlerMedians(t *testing.T) {
	records := []Record{
		rec("extension", "hot", 16, 3000, 10, false),
		rec("article", "hot", 16, 1000, 40, false),
		rec("extension", "hot", 16, 9999, 1, true), // with request ids: not paired
		rec("extension", "spread", 64, 2000, 5, false),
		rec("extension", "hot", 16, 2000, 20, false),
		rec("extension", "hot", 16, 5000, 5, false),
		rec("article", "hot", 16, 500, 80, false),
	}
	cells := Cells(records)
	if len(cells) != 4 || len(cells[0].Runs) != 3 || cells[0].Median().RequestsPerSec != 3000 {
		t.Fatalf("cells = %+v", cells)
	}
	if low, high := cells[0].Range(); low != 2000 || high != 5000 {
		t.Fatalf("range %v-%v", low, high)
	}
	// The article's two runs: the lower middle one, 500 requests/s at 80 ms.
	ratios := Ratios(cells)
	if len(ratios) != 1 || ratios[0] != (Ratio{Workload: "hot", Concurrency: 16, Throughput: 6, P99: 8}) {
		t.Fatalf("ratios = %+v", ratios)
	}
	var b bytes.Buffer
	WriteMarkdown(&b, records)
	for _, want := range []string{"| hot | 16 | extension | 3,000 | 2,000–5,000 (3) |", "| hot | 16 | 6.00× | 8.00× |",
		"extension + Idempotency-Key", "already_sold 60%, claimed 40%"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestUnexpectedAnswersShow(t *testing.T) {
	r := rec("article", "hot", 16, 1, 1, false)
	r.ByStatus["503"] = 2
	r.TransportErrs = 1
	if r.Unexpected() != 3 {
		t.Fatalf("unexpected = %d", r.Unexpected())
	}
	if !strings.Contains(answers(r.Result), "**3 not 200/409**") {
		t.Fatalf("answers = %s", answers(r.Result))
	}
}

func TestShare(t *testing.T) {
	for _, c := range []struct {
		count, total int64
		want         string
	}{{0, 10, "0%"}, {1, 1000, "<1%"}, {5, 1000, "<1%"}, {16, 1000, "2%"}, {10, 10, "100%"}, {0, 0, "0%"}} {
		if got := share(c.count, c.total); got != c.want {
			t.Errorf("share(%d, %d) = %s, want %s", c.count, c.total, got, c.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567"} {
		if got := thousands(v); got != want {
			t.Errorf("%v: %s", v, got)
		}
	}
}

func TestGoalsCompareMedians(t *testing.T) {
	sale := func(handler string, conc int, sales, p99 float64, ids bool, workload string) Record {
		r := rec(handler, workload, conc, sales, p99, ids)
		r.SalesPerSec = sales
		return r
	}
	records := []Record{
		sale("coalesced", 64, 9000, 20, false, "spread"),
		sale("redis-always", 64, 6000, 30, false, "spread"),
		sale("article", 64, 2000, 90, false, "spread"),
		sale("coalesced", 16, 5000, 5, false, "spread"),
		sale("redis-always", 16, 6000, 3, false, "spread"),
		sale("extension", 16, 8000, 5, false, "hot"),
		sale("extension", 16, 7000, 5, true, "hot"),
	}
	var b bytes.Buffer
	WriteMarkdown(&b, records)
	for _, want := range []string{
		"| coalesced ≥ Redis always, sales/s, p99 no worse | spread, 64 buyers | 1.50× sales/s; p99 20.0 / 30.0 ms | yes |",
		"| coalesced ≥ 4× article, sales/s | spread, 64 buyers | 4.50× | yes |",
		"| hot keyed ≥ 0.9× hot unkeyed, requests/s | extension, 16 buyers | 0.88× | **no** |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Fatalf("missing %q in\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "spread, 16 buyers | 0.83×") {
		t.Fatal("the Redis goal is for 64 buyers and more")
	}
}
