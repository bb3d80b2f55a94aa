package main

import (
	"fmt"
	"os"
	"time"
)

// screenshotWhen opens url in headless Chromium, waits until the JavaScript condition
// holds (within `within`), stops the page following the stream at that moment
// (seatMap.freeze) and saves a screenshot of it: the demo's picture of the map mid-sale
// (demo/map.sh) and the one in docs/.
func screenshotWhen(chromium, chromedriver, url, condition, file string, width, height int, within time.Duration) error {
	wd, err := startChromeDriver(chromedriver, freePort())
	if err != nil {
		return err
	}
	defer wd.close()
	profile, err := os.MkdirTemp("", "seatmap-shot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	if err := wd.newSession(chromium, profile, width, height); err != nil {
		return err
	}
	if err := wd.navigate(url); err != nil {
		return err
	}
	deadline := time.Now().Add(within)
	for {
		var ok bool
		err := wd.script(&ok, "if (!("+condition+")) return false; window.seatMap.freeze(); return true;")
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not hold within %v", condition, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
	shot, err := wd.screenshot()
	if err != nil {
		return err
	}
	return os.WriteFile(file, shot, 0o644)
}
