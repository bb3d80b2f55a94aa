package loadgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Record is one run as flashload writes it (a JSON line) and flashreport reads it.
type Record struct {
	Handler     string `json:"handler"`
	Workload    string `json:"workload"`
	Concurrency int    `json:"concurrency"`
	Tickets     int64  `json:"tickets"`
	RequestIDs  bool   `json:"request_ids"`
	Result
}

// ReadRecords reads JSON lines of records.
func ReadRecords(r io.Reader) ([]Record, error) {
	var records []Record
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; scanner.Scan(); line++ {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(scanner.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		records = append(records, rec)
	}
	return records, scanner.Err()
}
