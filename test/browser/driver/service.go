package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// serviceProcess is the flashsale service under test, its log in the artifact directory.
type serviceProcess struct {
	cmd    *exec.Cmd
	exited chan error
}

// startService starts flashsale on the test's port and waits until it listens.
func (t *mapTest) startService() error {
	logFile, err := os.OpenFile(filepath.Join(t.out, "service.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(t.serviceBin, "-listen", fmt.Sprintf("127.0.0.1:%d", t.servicePort), "-pool", "8")
	cmd.Stdout = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // goes with the driver
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	ready := make(chan struct{})
	go func() {
		defer logFile.Close()
		scanner := bufio.NewScanner(stderr)
		signalled := false
		for scanner.Scan() {
			line := scanner.Text()
			fmt.Fprintln(logFile, line)
			if !signalled && strings.Contains(line, "listening on") {
				close(ready)
				signalled = true
			}
		}
	}()
	p := &serviceProcess{cmd: cmd, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()
	select {
	case <-ready:
		t.service = p
		return nil
	case err := <-p.exited:
		return fmt.Errorf("the service exited: %v (see %s)", err, filepath.Join(t.out, "service.log"))
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		return fmt.Errorf("the service did not listen within 20 s")
	}
}

// stopService stops the service as an operator would (SIGTERM) and waits for it.
func (t *mapTest) stopService() {
	if t.service == nil {
		return
	}
	t.service.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-t.service.exited:
	case <-time.After(15 * time.Second):
		t.service.cmd.Process.Kill()
		<-t.service.exited
	}
	t.service = nil
}
