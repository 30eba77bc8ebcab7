package kernel

import (
	"testing"
	"time"
)

func TestSentBefore(t *testing.T) {
	now := time.Now()
	at := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339Nano) }
	for _, tc := range []struct {
		name     string
		date     string
		failedAt time.Time
		want     bool
	}{
		{"sent before the failure", at(-10 * time.Millisecond), now, true},
		{"sent after the failure", at(10 * time.Millisecond), now, false},
		{"no failure yet", at(-time.Second), time.Time{}, false},
		{"unreadable date", "yesterday", now, false},
		{"failure too long ago to trust the client's clock", at(-3 * abortWindow), now.Add(-2 * abortWindow), false},
		{"python isoformat with offset", now.Add(-time.Millisecond).UTC().Format("2006-01-02T15:04:05.999999-07:00"), now, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &request{}
			r.header.Date = tc.date
			if got := sentBefore(r, tc.failedAt); got != tc.want {
				t.Errorf("sentBefore(%q) = %v, want %v", tc.date, got, tc.want)
			}
		})
	}
}
