// Package camunda talks to the HTTP side of the Camunda 8.6 web application: Operate's v1 API (the
// engine's own view of instances), the REST v2 job routes the v8.3 gRPC client lacks, and the
// management actuator's engine clock. In the combined broker+Operate app these routes sit behind
// Operate's login, so one Session carries the cookie and the CSRF token, which rotates on every answer.
package camunda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Session is a logged-in HTTP client for one Camunda web application. Safe for concurrent use.
type Session struct {
	baseURL, username, password string
	http                        *http.Client

	mu        sync.Mutex
	csrfToken string
	loggedIn  bool
}

// NewSession prepares a session; the login happens on first use and again whenever it expires.
func NewSession(baseURL, username, password string) *Session {
	jar, _ := cookiejar.New(nil)
	return &Session{
		baseURL:  strings.TrimRight(baseURL, "/"),
		username: username, password: password,
		http: &http.Client{Jar: jar, Timeout: 30 * time.Second},
	}
}

// StatusError is a non-2xx answer, kept whole so callers can tell 404 from 409 from 5xx.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Body)
}

func (s *Session) login(ctx context.Context) error {
	form := url.Values{"username": {s.username}, "password": {s.password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.baseURL+"/api/login?"+form.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("camunda login: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusNotFound {
		// A broker run on its own (no Operate) has no login and serves REST v2 openly.
		s.loggedIn = true
		return nil
	}
	if resp.StatusCode/100 != 2 {
		return &StatusError{Method: "POST", Path: "/api/login", Status: resp.StatusCode, Body: string(body)}
	}
	s.csrfToken = resp.Header.Get("X-CSRF-TOKEN")
	s.loggedIn = true
	return nil
}

// Do sends a JSON request and decodes a JSON answer into out (out may be nil). It logs in first
// when needed and once more if the session was rejected.
func (s *Session) Do(ctx context.Context, method, path string, in, out any) error {
	var payload []byte
	if in != nil {
		var err error
		if payload, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		status, body, err := s.send(ctx, method, path, payload)
		if err != nil {
			return err
		}
		if (status == http.StatusUnauthorized || status == http.StatusForbidden) && attempt == 0 {
			s.mu.Lock()
			s.loggedIn = false
			s.mu.Unlock()
			continue
		}
		if status/100 != 2 {
			return &StatusError{Method: method, Path: path, Status: status, Body: string(body)}
		}
		if out == nil || len(body) == 0 {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
		return nil
	}
}

func (s *Session) send(ctx context.Context, method, path string, payload []byte) (int, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loggedIn {
		if err := s.login(ctx); err != nil {
			return 0, nil, err
		}
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.baseURL+path, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.csrfToken != "" {
		req.Header.Set("X-CSRF-TOKEN", s.csrfToken)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if token := resp.Header.Get("X-CSRF-TOKEN"); token != "" {
		s.csrfToken = token
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	return resp.StatusCode, data, err
}
