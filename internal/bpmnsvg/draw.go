package bpmnsvg

import (
	"fmt"
	"html"
	"strings"
)

func drawShape(b *strings.Builder, e element, s shape) {
	x, y, w, h := s.Box.X, s.Box.Y, s.Box.W, s.Box.H
	fmt.Fprintf(b, `<g id="%s">`, html.EscapeString(e.ID))
	switch {
	case strings.HasSuffix(e.Kind, "Event"):
		drawEvent(b, e, x+w/2, y+h/2, w/2)
		label(b, e.Name, s.Label, x+w/2, y+h+14)
	case strings.HasSuffix(e.Kind, "Gateway"):
		fmt.Fprintf(b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="#fff8e1" stroke="#333" stroke-width="1.5"/>`,
			x+w/2, y, x+w, y+h/2, x+w/2, y+h, x, y+h/2)
		if e.Kind == "parallelGateway" {
			fmt.Fprintf(b, `<path d="M%.1f,%.1f h%.1f M%.1f,%.1f v%.1f" stroke="#333" stroke-width="3"/>`, x+w*0.3, y+h/2, w*0.4, x+w/2, y+h*0.3, h*0.4)
		} else {
			fmt.Fprintf(b, `<path d="M%.1f,%.1f l%.1f,%.1f M%.1f,%.1f l%.1f,%.1f" stroke="#333" stroke-width="3"/>`,
				x+w*0.35, y+h*0.35, w*0.3, h*0.3, x+w*0.65, y+h*0.35, -w*0.3, h*0.3)
		}
		label(b, e.Name, s.Label, x+w/2, y+h+14)
	case s.Expanded:
		dash := ""
		if strings.Contains(strings.ToLower(e.Name), "cancel") || e.EventKind != "" {
			dash = ` stroke-dasharray="4 3"`
		}
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="10" fill="#f7f9fc" stroke="#555" stroke-width="1.5"%s/>`, x, y, w, h, dash)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-weight="bold">%s</text>`, x+10, y+18, html.EscapeString(e.Name))
	default:
		fill := "#e8f1fb"
		switch e.Kind {
		case "userTask":
			fill = "#fdeee8"
		case "receiveTask":
			fill = "#eef7ea"
		}
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="10" fill="%s" stroke="#333" stroke-width="1.5"/>`, x, y, w, h, fill)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="9" fill="#666">%s</text>`, x+6, y+12, html.EscapeString(kindLabel(e.Kind)))
		wrapped(b, e.Name, x+w/2, y+h/2, w-8)
	}
	b.WriteString("</g>\n")
}

func kindLabel(kind string) string {
	switch kind {
	case "serviceTask":
		return "job"
	case "userTask":
		return "user task"
	case "receiveTask":
		return "message"
	case "subProcess":
		return "subprocess"
	}
	return kind
}

func drawEvent(b *strings.Builder, e element, cx, cy, r float64) {
	stroke, width, fill := "#333", 1.5, "#fff"
	switch e.Kind {
	case "startEvent":
		stroke, fill = "#2e7d32", "#f1f8e9"
	case "endEvent":
		width, fill = 4, "#fbe9e7"
	}
	dash := ""
	if !e.Interrupting {
		dash = ` stroke-dasharray="4 3"`
	}
	fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" stroke="%s" stroke-width="%.1f"%s/>`, cx, cy, r, fill, stroke, width, dash)
	if e.Kind == "boundaryEvent" || e.Kind == "intermediateCatchEvent" {
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="none" stroke="#333"%s/>`, cx, cy, r-3, dash)
	}
	if sym := map[string]string{"timer": "⏱", "message": "✉", "error": "⚡", "signal": "△"}[e.EventKind]; sym != "" {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="%.0f">%s</text>`, cx, cy+r*0.35, r, sym)
	}
}

func drawEdge(b *strings.Builder, e element, ed edge) {
	if len(ed.Points) < 2 {
		return
	}
	pts := make([]string, len(ed.Points))
	for i, p := range ed.Points {
		pts[i] = fmt.Sprintf("%.1f,%.1f", p[0], p[1])
	}
	fmt.Fprintf(b, `<polyline id="%s" points="%s" fill="none" stroke="#333" stroke-width="1.2" marker-end="url(#arrow)"/>`+"\n",
		html.EscapeString(e.ID), strings.Join(pts, " "))
	if e.Name != "" {
		mid := ed.Points[len(ed.Points)/2-1+len(ed.Points)%2]
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10" fill="#444">%s</text>`+"\n", mid[0]+4, mid[1]-4, html.EscapeString(e.Name))
	}
}

// label writes an element's name at its DI label position, or below the shape when it has none.
func label(b *strings.Builder, name string, at *bounds, cx, y float64) {
	if name == "" {
		return
	}
	if at != nil {
		cx, y = at.X+at.W/2, at.Y+10
	}
	wrapped(b, name, cx, y, 110)
}

// wrapped writes centered text broken into lines that fit width (about 6 px per character).
func wrapped(b *strings.Builder, text string, cx, cy, width float64) {
	perLine := int(width / 6.2)
	var lines []string
	cur := ""
	for _, w := range strings.Fields(text) {
		if cur != "" && len(cur)+1+len(w) > perLine {
			lines = append(lines, cur)
			cur = w
		} else if cur == "" {
			cur = w
		} else {
			cur += " " + w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	top := cy - float64(len(lines)-1)*7 + 4
	for i, l := range lines {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, cx, top+float64(i)*14, html.EscapeString(l))
	}
}
