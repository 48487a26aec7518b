package console

import (
	"fmt"
	"time"
)

// The timeline draws one row per state entry: a bar from entering the state to leaving it, and inside it
// one darker segment per task attempt, with the retry waits between them left light.

const (
	timelineLabelW = 200.0
	timelineBarW   = 760.0
	timelineRowH   = 24.0
)

// Timeline is the laid-out timeline.
type Timeline struct {
	Width, Height float64
	Rows          []TimelineRow
	Ticks         []TimelineTick
	Total         time.Duration
}

// TimelineRow is one state entry.
type TimelineRow struct {
	Label    string
	State    string
	Status   string
	Y        float64
	X, W     float64
	Title    string
	Segments []TimelineSegment
}

// TimelineSegment is one attempt inside a row.
type TimelineSegment struct {
	X, W  float64
	Title string
	Error bool
}

// TimelineTick is one mark of the time axis.
type TimelineTick struct {
	X     float64
	Label string
}

func timeline(visits []*Visit, start, end, now time.Time) Timeline {
	total := end.Sub(start)
	if total <= 0 {
		total = time.Millisecond
	}
	scale := func(t time.Time) float64 {
		f := float64(t.Sub(start)) / float64(total)
		return timelineLabelW + max(0, min(1, f))*timelineBarW
	}
	tl := Timeline{Width: timelineLabelW + timelineBarW + 20, Total: total}
	count := map[string]int{}
	for i, v := range visits {
		count[v.State]++
		label := v.State
		switch {
		case v.Iteration >= 0:
			label = fmt.Sprintf("%s [%d]", v.State, v.Iteration)
		case count[v.State] > 1:
			label = fmt.Sprintf("%s #%d", v.State, count[v.State])
		}
		stop := v.End()
		if stop.IsZero() {
			stop = now
		}
		x := scale(v.Entered.Timestamp)
		w := max(2, scale(stop)-x)
		row := TimelineRow{Label: label, State: v.State, Status: v.Status, Y: 28 + float64(i)*timelineRowH, X: x, W: w,
			Title: fmt.Sprintf("%s: %s, %s", label, v.Status, formatDuration(stop.Sub(v.Entered.Timestamp)))}
		for _, a := range v.Attempts {
			aEnd := now
			if a.End != nil {
				aEnd = a.End.Timestamp
			}
			sx := scale(a.Scheduled.Timestamp)
			title := fmt.Sprintf("attempt %d: %s", a.N, formatDuration(aEnd.Sub(a.Scheduled.Timestamp)))
			if a.Delay > 0 {
				title += fmt.Sprintf(" (after a retry wait of %s)", formatDuration(a.Delay))
			}
			if a.Error != "" {
				title += " — " + a.Error
			}
			row.Segments = append(row.Segments, TimelineSegment{X: sx, W: max(2, scale(aEnd)-sx), Title: title, Error: a.Error != ""})
		}
		tl.Rows = append(tl.Rows, row)
	}
	tl.Height = 28 + float64(len(visits))*timelineRowH + 8
	for i := 0; i <= 4; i++ {
		f := float64(i) / 4
		tl.Ticks = append(tl.Ticks, TimelineTick{X: timelineLabelW + f*timelineBarW,
			Label: formatDuration(time.Duration(f * float64(total)))})
	}
	return tl
}
