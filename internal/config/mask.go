package config

import "net/url"

// Mask hides a secret for logs and help text. A URL keeps its host and path so operators can still
// tell which server a binary talks to; anything else is replaced whole.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	if u, err := url.Parse(secret); err == nil && u.Scheme != "" && u.Host != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.Redacted()
	}
	return "*****"
}
