package callback

import (
	"errors"
	"fmt"
	"time"

	"github.com/orderfleet/orderfleet/internal/config"
)

// Config tunes the callback API.
type Config struct {
	Secrets      Secrets
	MaxBodyBytes int64         // larger bodies answer 413
	ReplayWindow time.Duration // how far a signature's timestamp may be from now, either side
	Now          func() time.Time
}

func (c *Config) setDefaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 64 << 10
	}
	if c.ReplayWindow <= 0 {
		c.ReplayWindow = 5 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports a configuration that cannot accept any callback safely.
func (c Config) Validate() error {
	if len(c.Secrets) == 0 {
		return errors.New("callback: no tenant secrets configured; every callback would be refused")
	}
	if c.ReplayWindow > time.Hour {
		return fmt.Errorf("callback: replay window %v is over an hour", c.ReplayWindow)
	}
	return c.Secrets.Validate()
}

// Settings are the callback API's settings in text form, as flags and environment give them.
type Settings struct {
	Secrets      string
	MaxBodyBytes int
	ReplayWindow time.Duration
}

// Register adds the callback settings to a binary's set (the OMS API mounts the handler).
func (s *Settings) Register(set *config.Set) {
	set.Secret(&s.Secrets, "callback-secrets", EnvSecrets, "",
		`tenant secrets for callback signatures: {"tenant":"secret"}, tenant=secret,... or @file`)
	set.Int(&s.MaxBodyBytes, "callback-max-body", "ORDERFLEET_CALLBACK_MAX_BODY", 64<<10, "largest callback body in bytes (413 above)")
	set.Duration(&s.ReplayWindow, "callback-replay-window", "ORDERFLEET_CALLBACK_REPLAY_WINDOW", 5*time.Minute,
		"how far a callback's signed timestamp may be from now")
}

// Config parses the settings.
func (s Settings) Config() (Config, error) {
	secrets, err := ParseSecrets(s.Secrets)
	if err != nil {
		return Config{}, err
	}
	return Config{Secrets: secrets, MaxBodyBytes: int64(s.MaxBodyBytes), ReplayWindow: s.ReplayWindow}, nil
}
