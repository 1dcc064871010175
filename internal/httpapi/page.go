package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/orderfleet/orderfleet/internal/omsapi"
)

// cursor is the position after the last item of a page. Clients see it only
// as an opaque string; List names the list it belongs to, so a cursor from
// one list is refused by another.
type cursor struct {
	List string    `json:"l"`
	At   time.Time `json:"t,omitzero"`
	ID   string    `json:"i,omitempty"`
	Rank int       `json:"r,omitempty"`
	Seq  int       `json:"s,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// page is what a list handler needs from the query string.
type page struct {
	limit int
	after *cursor // nil on the first page
}

// parsePage reads ?limit= and ?cursor= for the named list.
func (s *Server) parsePage(c *call, list string) (page, error) {
	q := c.r.URL.Query()
	p := page{limit: s.cfg.DefaultPageSize}
	var check fieldCheck
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > s.cfg.MaxPageSize {
			check.add("limit", "must be a whole number from 1 to "+strconv.Itoa(s.cfg.MaxPageSize))
		}
		p.limit = n
	}
	if raw := q.Get("cursor"); raw != "" {
		var cur cursor
		b, err := base64.RawURLEncoding.DecodeString(raw)
		if err == nil {
			err = json.Unmarshal(b, &cur)
		}
		if err != nil || cur.List != list {
			check.add("cursor", "is not a cursor of this list; pass back nextCursor unchanged")
		}
		p.after = &cur
	}
	return p, check.err()
}

// cut trims the one extra row a query fetched to learn whether more follow,
// and builds the next cursor from the last item kept.
func cut[T any](rows []T, limit int, next func(T) cursor) omsapi.Page[T] {
	out := omsapi.Page[T]{Items: rows}
	if out.Items == nil {
		out.Items = []T{}
	}
	if len(rows) > limit {
		out.Items = rows[:limit]
		out.NextCursor = next(rows[limit-1]).encode()
	}
	return out
}
