// Command driver is the seat map's browser test: it checks the extension's notifications,
// starts the flash-sale service, drives the page GET /events/{event}/map in Debian's
// headless Chromium through chromedriver (WebDriver), and checks it against the database.
// One PASS or FAIL line per check (test/browser/run_browser.sh counts them).
//
//	driver -service /path/to/flashsale -out DIR    (PG* variables name the database)
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/color"
	"image/png"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"
)

var ctx = context.Background()

type suite struct {
	passed, failed int
}

func (s *suite) check(name string, err error) bool {
	if err != nil {
		s.failed++
		fmt.Printf("FAIL browser: %s: %v\n", name, err)
		return false
	}
	s.passed++
	fmt.Printf("PASS browser: %s\n", name)
	return true
}

func main() {
	serviceBin := flag.String("service", "", "the flashsale binary")
	chromium := flag.String("chromium", "/usr/bin/chromium", "the browser")
	chromedriver := flag.String("chromedriver", "/usr/bin/chromedriver", "chromedriver")
	out := flag.String("out", "test/browser/out", "where the screenshots go")
	shotURL := flag.String("screenshot", "", "only take a screenshot of this page (with -file, -when)")
	shotFile := flag.String("file", "map.png", "the screenshot's file (-screenshot)")
	shotWhen := flag.String("when", "window.seatMap && window.seatMap.stats.snapshots >= 1",
		"a JavaScript condition to wait for before the screenshot (-screenshot)")
	shotWithin := flag.Duration("within", time.Minute, "how long to wait for -when")
	width := flag.Int("width", 1280, "the window's width (-screenshot)")
	height := flag.Int("height", 1000, "the window's height (-screenshot)")
	flag.Parse()
	if *shotURL != "" {
		if err := screenshotWhen(*chromium, *chromedriver, *shotURL, *shotWhen, *shotFile, *width, *height, *shotWithin); err != nil {
			fmt.Fprintln(os.Stderr, "screenshot:", err)
			os.Exit(1)
		}
		return
	}
	s := &suite{}
	defer func() {
		if s.failed > 0 {
			os.Exit(1)
		}
	}()
	if err := os.MkdirAll(*out, 0o755); !s.check("artifact directory", err) {
		return
	}
	pool, err := pgxpool.Connect(ctx, "")
	if !s.check("connect to the database", err) {
		return
	}
	defer pool.Close()
	s.check("the database announces changes: coalesced, the last with the highest id, none for a rollback",
		notifications(pool))
	s.check("a refund offered to the waiting list is announced on the feed's channel, naming the offer",
		waitlistNotifications(pool))
	t := &mapTest{s: s, pool: pool, out: *out}
	if !s.check("an event of 52 seats in three sections, 3 sold and 1 held", t.setUp()) {
		return
	}
	t.servicePort = freePort()
	t.serviceBin = *serviceBin
	if !s.check("start the service", t.startService()) {
		return
	}
	defer t.stopService()
	wd, err := startChromeDriver(*chromedriver, freePort())
	if !s.check("start chromedriver", err) {
		return
	}
	defer wd.close()
	profile, _ := os.MkdirTemp("", "seatmap-profile-")
	defer os.RemoveAll(profile)
	if !s.check("start headless Chromium", wd.newSession(*chromium, profile, 1280, 900)) {
		return
	}
	t.wd = wd
	t.run()
}

type mapTest struct {
	s           *suite
	pool        *pgxpool.Pool
	wd          *webDriver
	out         string
	event       int64
	serviceBin  string
	servicePort int
	service     *serviceProcess
	buyer       string
}

func (t *mapTest) base() string { return fmt.Sprintf("http://127.0.0.1:%d", t.servicePort) }

// The event: section A (3 rows of 10), B (2 rows of 8), general admission GA-1..GA-6.
func (t *mapTest) setUp() error {
	var labels []string
	for row := 1; row <= 3; row++ {
		for seat := 1; seat <= 10; seat++ {
			labels = append(labels, fmt.Sprintf("A-%d-%d", row, seat))
		}
	}
	for row := 1; row <= 2; row++ {
		for seat := 1; seat <= 8; seat++ {
			labels = append(labels, fmt.Sprintf("B-%d-%d", row, seat))
		}
	}
	for seat := 1; seat <= 6; seat++ {
		labels = append(labels, fmt.Sprintf("GA-%d", seat))
	}
	if err := t.pool.QueryRow(ctx, "SELECT ticketing.create_event('Browser test')").Scan(&t.event); err != nil {
		return err
	}
	if _, err := t.pool.Exec(ctx, "SELECT ticketing.add_tickets($1, $2::text[])", t.event, labels); err != nil {
		return err
	}
	for _, seat := range []string{"A-1-1", "A-1-2", "A-1-3"} {
		if err := t.sqlCall("claim_ticket", seat, "earlier buyer"); err != nil {
			return err
		}
	}
	return t.sqlCall("hold_ticket", "B-1-1", "a holder")
}

// sqlCall runs fn(event, the seat's ticket, customer) and wants it to succeed.
func (t *mapTest) sqlCall(fn, seat, customer string) error {
	var outcome string
	err := t.pool.QueryRow(ctx, fmt.Sprintf(`SELECT outcome FROM ticketing.%s($1,
	        (SELECT ticket_id FROM ticketing.tickets WHERE event_id = $1 AND seat = $2), $3)`, fn),
		t.event, seat, customer).Scan(&outcome)
	if err != nil {
		return err
	}
	if outcome != "claimed" && outcome != "hold_placed" && outcome != "released" {
		return fmt.Errorf("%s %s: %s", fn, seat, outcome)
	}
	return nil
}

func (t *mapTest) ticketOf(seat string) int64 {
	var id int64
	t.pool.QueryRow(ctx, "SELECT ticket_id FROM ticketing.tickets WHERE event_id = $1 AND seat = $2", t.event, seat).Scan(&id)
	return id
}

func (t *mapTest) run() {
	s := t.s
	if !s.check("the page loads and draws the snapshot", t.open()) {
		return
	}
	s.check("seats drawn by section and row from their labels", t.layout())
	s.check("the counters match event_summary", t.countsMatch())
	s.check("available, held and sold seats in their colours", t.colours())
	s.check("a claim through the API turns the seat sold within a second", t.apiClaimShows())
	s.check("a click on a free seat buys it, with an idempotency key", t.clickBuys("A-2-4"))
	s.check("a click on a sold seat explains why not, and buys nothing", t.clickRefused("A-1-1", "already sold"))
	s.check("a click on a held seat explains why not, and buys nothing", t.clickRefused("B-1-1", "held by another buyer"))
	s.check("the keyboard moves between seats and Enter buys", t.keyboard())
	s.check("readable at phone width (390 px): nothing wider than the screen", t.phoneWidth())
	s.check("a screenshot mid-sale, every seat as the database has it after", t.midSale())
	s.check("a reconnect after the service restarts catches up, no snapshot, nothing twice", t.restart())
	s.check("a screenshot after the sale", t.screenshot("map-after-restart.png"))
}

// open loads the map and waits for its first snapshot.
func (t *mapTest) open() error {
	if err := t.wd.navigate(fmt.Sprintf("%s/events/%d/map", t.base(), t.event)); err != nil {
		return err
	}
	if err := t.waitFor(10*time.Second, "window.seatMap && window.seatMap.stats.snapshots >= 1"); err != nil {
		return err
	}
	return t.wd.script(&t.buyer, "return document.getElementById('buyer').value")
}

// waitFor polls a JavaScript condition.
func (t *mapTest) waitFor(within time.Duration, condition string) error {
	deadline := time.Now().Add(within)
	for {
		var ok bool
		err := t.wd.script(&ok, "return !!("+condition+")")
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %v: %s (%v)", within, condition, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (t *mapTest) layout() error {
	var got struct {
		Seats    int      `json:"seats"`
		Sections []string `json:"sections"`
		Rows     []int    `json:"rows"`
		FirstRow []string `json:"firstRow"`
	}
	err := t.wd.script(&got, `
		const sections = Array.from(document.querySelectorAll('#map .section'));
		return {
			seats: document.querySelectorAll('#map button.seat').length,
			sections: sections.map(s => s.querySelector('h2').textContent),
			rows: sections.map(s => s.querySelectorAll('.row').length),
			firstRow: Array.from(sections[0].querySelector('.row').querySelectorAll('button.seat'))
				.map(b => b.dataset.seat),
		};`)
	if err != nil {
		return err
	}
	want := `{52 [Section A Section B Section GA] [3 2 1] [A-1-1 A-1-2 A-1-3 A-1-4 A-1-5 A-1-6 A-1-7 A-1-8 A-1-9 A-1-10]}`
	if fmt.Sprint(got) != want {
		return fmt.Errorf("got %v, want %s", got, want)
	}
	return nil
}

type counts struct {
	Available, Held, Sold, Total int64
}

func (t *mapTest) dbCounts() (counts, error) {
	var c counts
	err := t.pool.QueryRow(ctx, "SELECT available, held, sold, total FROM ticketing.event_summary($1)", t.event).
		Scan(&c.Available, &c.Held, &c.Sold, &c.Total)
	return c, err
}

func (t *mapTest) pageCounts() (counts, error) {
	var c counts
	err := t.wd.script(&c, `const n = id => Number(document.getElementById(id).textContent);
		return {Available: n('count-available'), Held: n('count-held'), Sold: n('count-sold'), Total: n('count-total')};`)
	return c, err
}

func (t *mapTest) countsMatch() error {
	want, err := t.dbCounts()
	if err != nil {
		return err
	}
	got, err := t.pageCounts()
	if err != nil {
		return err
	}
	if got != want || want != (counts{Available: 48, Held: 1, Sold: 3, Total: 52}) {
		return fmt.Errorf("page %+v, event_summary %+v", got, want)
	}
	return nil
}

func (t *mapTest) colours() error {
	var got map[string]string
	err := t.wd.script(&got, `const c = seat => {
			const b = document.querySelector('button.seat[data-seat="' + seat + '"]');
			return b.dataset.status + ' ' + getComputedStyle(b).backgroundColor;
		};
		return {sold: c('A-1-1'), held: c('B-1-1'), available: c('A-2-5')};`)
	if err != nil {
		return err
	}
	want := map[string]string{
		"sold":      "sold rgb(140, 149, 159)",
		"held":      "held rgb(179, 89, 0)",
		"available": "available rgb(26, 127, 55)",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

func (t *mapTest) statusOnPage(seat string) (string, error) {
	var status string
	err := t.wd.script(&status, "return window.seatMap.status(arguments[0])", seat)
	return status, err
}

func (t *mapTest) post(path string, body, key string) (int, string, error) {
	req, _ := http.NewRequest("POST", t.base()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String(), nil
}

func (t *mapTest) apiClaimShows() error {
	seat := "A-3-7"
	start := time.Now()
	status, body, err := t.post(fmt.Sprintf("/events/%d/tickets/%d/claim", t.event, t.ticketOf(seat)),
		`{"customer":"api buyer"}`, "api-claim-1")
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("the claim: %d %s %v", status, body, err)
	}
	for {
		shown, err := t.statusOnPage(seat)
		if err != nil {
			return err
		}
		elapsed := time.Since(start)
		if shown == "sold" {
			fmt.Printf("    %s showed sold %d ms after the claim was sent\n", seat, elapsed.Milliseconds())
			return nil
		}
		if elapsed > time.Second {
			return fmt.Errorf("%s still %s on the page %v after the claim", seat, shown, elapsed)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (t *mapTest) message() (string, error) {
	var text string
	err := t.wd.script(&text, "return document.getElementById('message').textContent")
	return text, err
}

func (t *mapTest) auditRows() int64 {
	var n int64
	t.pool.QueryRow(ctx, "SELECT count(*) FROM ticketing.audit_log WHERE event_id = $1", t.event).Scan(&n)
	return n
}

// soldTo checks the seat is sold to the page's buyer, bought with an idempotency key.
func (t *mapTest) soldTo(seat string) error {
	var status, owner string
	var keys int
	err := t.pool.QueryRow(ctx, `SELECT t.status, coalesce(t.owner, ''),
	            (SELECT count(*) FROM ticketing.idempotency_keys k
	              WHERE k.event_id = t.event_id AND k.customer = $3 AND t.ticket_id = ANY (k.ticket_ids)
	                AND k.idempotency_key ~ '^[0-9a-f-]{32,36}$')
	       FROM ticketing.tickets t WHERE t.event_id = $1 AND t.seat = $2`, t.event, seat, t.buyer).
		Scan(&status, &owner, &keys)
	if err != nil {
		return err
	}
	if status != "sold" || owner != t.buyer || keys != 1 {
		return fmt.Errorf("%s: %s to %q with %d idempotency keys of the page, want sold to %q with 1",
			seat, status, owner, keys, t.buyer)
	}
	return nil
}

func (t *mapTest) clickBuys(seat string) error {
	before, _ := t.pageCounts()
	el, err := t.wd.find(`button.seat[data-seat="` + seat + `"]`)
	if err != nil {
		return err
	}
	if err := t.wd.click(el); err != nil {
		return err
	}
	if err := t.waitFor(5*time.Second, `document.getElementById('message').textContent === 'You bought `+seat+`.'`); err != nil {
		text, _ := t.message()
		return fmt.Errorf("%v; the page says %q", err, text)
	}
	if err := t.soldTo(seat); err != nil {
		return err
	}
	if err := t.waitFor(2*time.Second, `document.querySelector('button.seat[data-seat="`+seat+`"]').classList.contains('yours')`); err != nil {
		return err
	}
	after, err := t.pageCounts()
	if err != nil {
		return err
	}
	if after.Sold != before.Sold+1 || after.Available != before.Available-1 {
		return fmt.Errorf("counters went from %+v to %+v", before, after)
	}
	return nil
}

func (t *mapTest) clickRefused(seat, explanation string) error {
	rows := t.auditRows()
	el, err := t.wd.find(`button.seat[data-seat="` + seat + `"]`)
	if err != nil {
		return err
	}
	if err := t.wd.click(el); err != nil {
		return err
	}
	if err := t.waitFor(3*time.Second, `document.getElementById('message').textContent.includes('`+seat+`')`); err != nil {
		return err
	}
	text, err := t.message()
	if err != nil {
		return err
	}
	if !strings.Contains(text, explanation) {
		return fmt.Errorf("the page says %q, want it to say %q", text, explanation)
	}
	if after := t.auditRows(); after != rows {
		return fmt.Errorf("the click changed the audit log: %d rows, then %d", rows, after)
	}
	return nil
}

func (t *mapTest) keyboard() error {
	// The seat clicked last has the focus (one tab stop for the whole map).
	active, err := t.wd.active()
	if err != nil {
		return err
	}
	if seat, _ := t.wd.attribute(active, "data-seat"); seat != "B-1-1" {
		return fmt.Errorf("the focus is on %q, want the seat clicked last, B-1-1", seat)
	}
	// Two right arrows, then Enter.
	if err := t.wd.keys(active, "\ue014\ue014"); err != nil {
		return err
	}
	active, err = t.wd.active()
	if err != nil {
		return err
	}
	seat, _ := t.wd.attribute(active, "data-seat")
	if seat != "B-1-3" {
		return fmt.Errorf("two right arrows from B-1-1 reached %q, want B-1-3", seat)
	}
	if err := t.wd.keys(active, "\ue007"); err != nil {
		return err
	}
	if err := t.waitFor(5*time.Second, `document.getElementById('message').textContent === 'You bought B-1-3.'`); err != nil {
		return err
	}
	return t.soldTo("B-1-3")
}

func (t *mapTest) phoneWidth() error {
	if err := t.wd.resize(390, 844); err != nil {
		return err
	}
	defer t.wd.resize(1280, 900)
	time.Sleep(300 * time.Millisecond)
	var got struct {
		Inner, Scroll  float64
		SeatW, CountsR float64
		RowsScrollable bool
		MessageVisible bool
	}
	err := t.wd.script(&got, `const seat = document.querySelector('button.seat').getBoundingClientRect();
		return {Inner: window.innerWidth, Scroll: document.documentElement.scrollWidth, SeatW: seat.width,
			CountsR: document.querySelector('.counts').getBoundingClientRect().right,
			RowsScrollable: getComputedStyle(document.querySelector('.rows')).overflowX === 'auto',
			MessageVisible: document.getElementById('message').getBoundingClientRect().right <= window.innerWidth};`)
	if err != nil {
		return err
	}
	if got.Scroll > got.Inner || got.SeatW < 24 || got.CountsR > got.Inner || !got.RowsScrollable || !got.MessageVisible {
		return fmt.Errorf("%+v", got)
	}
	return t.screenshot("map-phone.png")
}

func (t *mapTest) screenshot(name string) error {
	shot, err := t.wd.screenshot()
	if err != nil {
		return err
	}
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		return fmt.Errorf("the screenshot is no PNG: %v", err)
	}
	return os.WriteFile(filepath.Join(t.out, name), shot, 0o644)
}

// midSale runs buyers against the service, takes a screenshot while they buy, and checks
// the page against the database once they stopped.
func (t *mapTest) midSale() error {
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for b := 0; b < 6; b++ {
		wg.Add(1)
		go func(b int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(b)))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(150+r.Intn(200)) * time.Millisecond):
				}
				ticket := 1 + r.Intn(52)
				action := "claim"
				body := fmt.Sprintf(`{"customer":"crowd-%d"}`, b)
				if r.Intn(5) == 0 {
					action = "hold"
					body = fmt.Sprintf(`{"customer":"crowd-%d","hold_seconds":600}`, b)
				}
				t.post(fmt.Sprintf("/events/%d/tickets/%d/%s", t.event, ticket, action), body,
					fmt.Sprintf("crowd-%d-%d", b, i))
			}
		}(b)
	}
	time.Sleep(1200 * time.Millisecond)
	shotErr := t.screenshot("map-mid-sale.png")
	time.Sleep(800 * time.Millisecond)
	close(stop)
	wg.Wait()
	if shotErr != nil {
		return shotErr
	}
	if err := t.coloursInShot("map-mid-sale.png"); err != nil {
		return err
	}
	return t.pageMatchesDatabase(5 * time.Second)
}

// coloursInShot checks the screenshot shows seats of all three states.
func (t *mapTest) coloursInShot(name string) error {
	f, err := os.Open(filepath.Join(t.out, name))
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return err
	}
	want := map[string]color.RGBA{"available": {26, 127, 55, 255}, "held": {179, 89, 0, 255}, "sold": {140, 149, 159, 255}}
	seen := map[string]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			for name, c := range want {
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(b>>8) == c.B {
					seen[name]++
				}
			}
		}
	}
	for name := range want {
		if seen[name] < 20 {
			return fmt.Errorf("the screenshot shows no %s seats (%v pixels of each)", name, seen)
		}
	}
	return nil
}

// pageMatchesDatabase waits until every seat on the page has the database's status and
// the counters match event_summary.
func (t *mapTest) pageMatchesDatabase(within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		diff, err := t.difference()
		if err == nil && diff == "" {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return err
			}
			return fmt.Errorf("after %v the page still differs from the database: %s", within, diff)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (t *mapTest) difference() (string, error) {
	rows, err := t.pool.Query(ctx, `SELECT seat, CASE WHEN status = 'held' AND hold_expires_at <= now()
	                                                THEN 'available' ELSE status END
	                                  FROM ticketing.tickets WHERE event_id = $1 ORDER BY ticket_id`, t.event)
	if err != nil {
		return "", err
	}
	want := map[string]string{}
	for rows.Next() {
		var seat, status string
		rows.Scan(&seat, &status)
		want[seat] = status
	}
	rows.Close()
	var got map[string]string
	if err := t.wd.script(&got, `const m = {};
		document.querySelectorAll('#map button.seat').forEach(b => m[b.dataset.seat] = b.dataset.status);
		return m;`); err != nil {
		return "", err
	}
	var diffs []string
	for seat, status := range want {
		if got[seat] != status {
			diffs = append(diffs, fmt.Sprintf("%s %s on the page, %s in the database", seat, got[seat], status))
		}
	}
	if len(got) != len(want) {
		diffs = append(diffs, fmt.Sprintf("%d seats on the page, %d in the database", len(got), len(want)))
	}
	dbc, err := t.dbCounts()
	if err != nil {
		return "", err
	}
	pc, err := t.pageCounts()
	if err != nil {
		return "", err
	}
	if pc != dbc {
		diffs = append(diffs, fmt.Sprintf("counters %+v, event_summary %+v", pc, dbc))
	}
	return strings.Join(diffs, "; "), nil
}

type pageStats struct {
	Snapshots  int    `json:"snapshots"`
	Changes    int    `json:"changes"`
	Repeats    int    `json:"repeats"`
	Reconnects int    `json:"reconnects"`
	LastID     string `json:"lastId"`
}

func (t *mapTest) stats() (pageStats, error) {
	var st pageStats
	err := t.wd.script(&st, "return window.seatMap.stats")
	return st, err
}

// restart stops the service, changes seats while it is down, starts it again and waits
// for the page to catch up through Last-Event-ID.
func (t *mapTest) restart() error {
	before, err := t.stats()
	if err != nil {
		return err
	}
	t.stopService()
	if err := t.waitFor(5*time.Second, `document.getElementById('connection').textContent !== 'Live'`); err != nil {
		return fmt.Errorf("the page did not notice the service stopped: %v", err)
	}
	var free []string
	rows, err := t.pool.Query(ctx, `SELECT seat FROM ticketing.tickets
	                                 WHERE event_id = $1 AND status = 'available' ORDER BY ticket_id LIMIT 3`, t.event)
	if err != nil {
		return err
	}
	for rows.Next() {
		var seat string
		rows.Scan(&seat)
		free = append(free, seat)
	}
	rows.Close()
	for _, seat := range free {
		if err := t.sqlCall("claim_ticket", seat, "while the service was down"); err != nil {
			return err
		}
	}
	if err := t.sqlCall("release_ticket", "A-2-4", t.buyer); err != nil {
		return err
	}
	if err := t.startService(); err != nil {
		return err
	}
	if err := t.pageMatchesDatabase(15 * time.Second); err != nil {
		return err
	}
	if shown, _ := t.statusOnPage("A-2-4"); shown != "available" {
		return fmt.Errorf("A-2-4, released while the service was down, shows %s", shown)
	}
	after, err := t.stats()
	if err != nil {
		return err
	}
	if after.Snapshots != before.Snapshots || after.Repeats != 0 || after.Reconnects <= before.Reconnects ||
		after.Changes < before.Changes+len(free)+1 {
		return fmt.Errorf("page stats before %+v, after %+v: want a reconnect, no new snapshot, no change twice, the %d changes",
			before, after, len(free)+1)
	}
	fmt.Printf("    resumed from id %s to %s: %d changes, %d snapshots, %d repeats\n",
		before.LastID, after.LastID, after.Changes-before.Changes, after.Snapshots, after.Repeats)
	return nil
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
