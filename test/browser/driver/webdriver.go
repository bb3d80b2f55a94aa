package main

// A small WebDriver client (the W3C protocol that Debian's chromedriver speaks), for the
// few commands the seat map test needs: navigate, run a script, find and click an
// element, send keys, resize the window, take a screenshot.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const elementKey = "element-6066-11e4-a52e-4f735466cecf"

type webDriver struct {
	base    string // http://127.0.0.1:PORT
	session string
	client  *http.Client
	process *exec.Cmd
	closing sync.Once
}

// startChromeDriver runs chromedriver on port and waits until it is ready.
func startChromeDriver(binary string, port int) (*webDriver, error) {
	cmd := exec.Command(binary, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// If this process dies without closing the session, chromedriver goes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	wd := &webDriver{base: fmt.Sprintf("http://127.0.0.1:%d", port), client: &http.Client{Timeout: 60 * time.Second}, process: cmd}
	wd.closeOnSignal()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var status struct {
			Ready bool `json:"ready"`
		}
		if err := wd.call("GET", "/status", nil, &status); err == nil && status.Ready {
			return wd, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, fmt.Errorf("chromedriver did not become ready on port %d", port)
}

// newSession starts headless Chromium with a fresh profile.
func (wd *webDriver) newSession(chromium, profile string, width, height int) error {
	args := []string{
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + profile,
		fmt.Sprintf("--window-size=%d,%d", width, height),
	}
	caps := map[string]interface{}{
		"capabilities": map[string]interface{}{
			"alwaysMatch": map[string]interface{}{
				"browserName":        "chrome",
				"goog:chromeOptions": map[string]interface{}{"binary": chromium, "args": args},
			},
		},
	}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	if err := wd.call("POST", "/session", caps, &created); err != nil {
		return err
	}
	wd.session = created.SessionID
	return nil
}

// close ends the browser session (Chromium exits) and chromedriver; once.
func (wd *webDriver) close() {
	wd.closing.Do(func() {
		if wd.session != "" {
			wd.call("DELETE", "/session/"+wd.session, nil, nil)
		}
		if wd.process != nil {
			wd.process.Process.Signal(syscall.SIGTERM)
			wd.process.Wait()
		}
	})
}

// closeOnSignal closes the browser when this process is told to stop (SIGTERM, SIGINT),
// then exits: no Chromium is left behind.
func (wd *webDriver) closeOnSignal() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		wd.close()
		os.Exit(2)
	}()
}

// call sends one command and decodes the answer's "value" into out.
func (wd *webDriver) call(method, path string, body, out interface{}) error {
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, wd.base+path, payload)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := wd.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return fmt.Errorf("%s %s: %d, %v", method, path, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		var problem struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		json.Unmarshal(answer.Value, &problem)
		return fmt.Errorf("%s %s: %s: %s", method, path, problem.Error, problem.Message)
	}
	if out != nil {
		return json.Unmarshal(answer.Value, out)
	}
	return nil
}

func (wd *webDriver) sessionCall(method, path string, body, out interface{}) error {
	return wd.call(method, "/session/"+wd.session+path, body, out)
}

func (wd *webDriver) navigate(url string) error {
	return wd.sessionCall("POST", "/url", map[string]string{"url": url}, nil)
}

// script runs a synchronous script (its `return` value decoded into out).
func (wd *webDriver) script(out interface{}, source string, args ...interface{}) error {
	if args == nil {
		args = []interface{}{}
	}
	return wd.sessionCall("POST", "/execute/sync", map[string]interface{}{"script": source, "args": args}, out)
}

// find returns the element a CSS selector matches first.
func (wd *webDriver) find(css string) (string, error) {
	var el map[string]string
	if err := wd.sessionCall("POST", "/element", map[string]string{"using": "css selector", "value": css}, &el); err != nil {
		return "", err
	}
	return el[elementKey], nil
}

func (wd *webDriver) click(element string) error {
	return wd.sessionCall("POST", "/element/"+element+"/click", map[string]string{}, nil)
}

// active is the element that has the keyboard focus.
func (wd *webDriver) active() (string, error) {
	var el map[string]string
	if err := wd.sessionCall("GET", "/element/active", nil, &el); err != nil {
		return "", err
	}
	return el[elementKey], nil
}

// keys types text into the element (WebDriver key codes: "\ue014" is the right arrow,
// "\ue007" Enter).
func (wd *webDriver) keys(element, text string) error {
	return wd.sessionCall("POST", "/element/"+element+"/value", map[string]string{"text": text}, nil)
}

func (wd *webDriver) attribute(element, name string) (string, error) {
	var value *string
	if err := wd.sessionCall("GET", "/element/"+element+"/attribute/"+name, nil, &value); err != nil {
		return "", err
	}
	if value == nil {
		return "", nil
	}
	return *value, nil
}

func (wd *webDriver) resize(width, height int) error {
	return wd.sessionCall("POST", "/window/rect", map[string]int{"width": width, "height": height}, nil)
}

// screenshot is a PNG of the page as shown.
func (wd *webDriver) screenshot() ([]byte, error) {
	var encoded string
	if err := wd.sessionCall("GET", "/screenshot", nil, &encoded); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(encoded)
}
