package engineapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// pageLimit is the page size of every search; a search with more hits reads further pages.
const pageLimit = 1000

// searchPage is the answer of a v2 search route.
type searchPage[T any] struct {
	Items []T `json:"items"`
	Page  struct {
		TotalItems int64 `json:"totalItems"`
	} `json:"page"`
}

// search reads every hit of one v2 search (filter as the route defines it), a page at a time.
func search[T any](ctx context.Context, c *Client, path string, filter map[string]any) ([]T, error) {
	var all []T
	for from := 0; ; from += pageLimit {
		var page searchPage[T]
		req := map[string]any{"filter": filter, "page": map[string]int{"from": from, "limit": pageLimit}}
		if err := c.do(ctx, "POST", path, req, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if len(page.Items) < pageLimit || int64(len(all)) >= page.Page.TotalItems {
			return all, nil
		}
	}
}

// keyIn is the v2 advanced filter matching any of keys; keys travel as strings, as 8.8 writes them.
func keyIn(keys []int64) map[string]any {
	in := make([]string, len(keys))
	for i, k := range keys {
		in[i] = strconv.FormatInt(k, 10)
	}
	return map[string]any{"$in": in}
}

// JSONText is a variable value as the v2 API stores and matches it: its JSON text.
func JSONText(value any) (string, error) {
	encoded, err := json.Marshal(value)
	if err != nil {
		return "", fmt.Errorf("encode variable value %v: %w", value, err)
	}
	return string(encoded), nil
}

// Key is an engine key as the v2 API writes it: a decimal string (a number is accepted too).
type Key int64

// UnmarshalJSON reads "123", 123 or null.
func (k *Key) UnmarshalJSON(data []byte) error {
	s := string(data)
	if s == "null" || s == `""` {
		*k = 0
		return nil
	}
	if len(s) >= 2 && s[0] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("engine key %s: %w", data, err)
	}
	*k = Key(v)
	return nil
}

// MarshalJSON writes the key as a string, as the v2 API does.
func (k Key) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(k), 10) + `"`), nil
}
