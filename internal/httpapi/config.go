package httpapi

import (
	"errors"
	"fmt"
	"time"
)

// Config tunes the OMS API handler.
type Config struct {
	Tokens          Tokens
	MaxBodyBytes    int64 // larger request bodies answer 413
	DefaultPageSize int   // items per page when ?limit= is absent
	MaxPageSize     int   // largest ?limit= accepted
	Now             func() time.Time
}

func (c *Config) setDefaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxPageSize <= 0 {
		c.MaxPageSize = 200
	}
	if c.DefaultPageSize <= 0 {
		c.DefaultPageSize = min(50, c.MaxPageSize)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports a configuration under which the API cannot serve anyone.
func (c Config) Validate() error {
	if len(c.Tokens) == 0 {
		return errors.New("api: no bearer tokens configured; every request would be refused")
	}
	if c.DefaultPageSize > c.MaxPageSize {
		return fmt.Errorf("api: default page size %d is above the maximum %d", c.DefaultPageSize, c.MaxPageSize)
	}
	return c.Tokens.Validate()
}
