package loadgen

import "sort"

// Cell is every run of one handler (with or without request ids) at one workload and
// concurrency, and the run the report shows for it: the median by requests/s.
type Cell struct {
	Workload    string
	Concurrency int
	Handler     string
	RequestIDs  bool
	Runs        []Record
}

// Median is the run with the median requests/s (the lower middle one of an even
// count).
func (c Cell) Median() Record {
	runs := append([]Record(nil), c.Runs...)
	sort.Slice(runs, func(i, j int) bool { return runs[i].RequestsPerSec < runs[j].RequestsPerSec })
	return runs[(len(runs)-1)/2]
}

// Range is the lowest and highest requests/s of the cell's runs.
func (c Cell) Range() (low, high float64) {
	low, high = c.Runs[0].RequestsPerSec, c.Runs[0].RequestsPerSec
	for _, r := range c.Runs[1:] {
		if r.RequestsPerSec < low {
			low = r.RequestsPerSec
		}
		if r.RequestsPerSec > high {
			high = r.RequestsPerSec
		}
	}
	return low, high
}

// Cells groups records by workload, concurrency and handler, in the order each
// cell's first run came.
func Cells(records []Record) []Cell {
	type key struct {
		workload    string
		concurrency int
		handler     string
		ids         bool
	}
	index := map[key]int{}
	var cells []Cell
	for _, r := range records {
		k := key{r.Workload, r.Concurrency, r.Handler, r.RequestIDs}
		i, ok := index[k]
		if !ok {
			i = len(cells)
			index[k] = i
			cells = append(cells, Cell{Workload: r.Workload, Concurrency: r.Concurrency, Handler: r.Handler,
				RequestIDs: r.RequestIDs})
		}
		cells[i].Runs = append(cells[i].Runs, r)
	}
	return cells
}
