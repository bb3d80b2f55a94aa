// Command flashreport turns flashload's JSON records (stdin) into the Markdown
// tables of docs/go-service-benchmark.md (stdout).
package main

import (
	"bufio"
	"log"
	"os"

	"flashsale/loadgen"
)

func main() {
	records, err := loadgen.ReadRecords(os.Stdin)
	if err != nil {
		log.Fatal(err)
	}
	if len(records) == 0 {
		log.Fatal("no records on stdin")
	}
	w := bufio.NewWriter(os.Stdout)
	loadgen.WriteMarkdown(w, records)
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
}
