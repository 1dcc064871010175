package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Bool registers an on/off setting; the flag alone (--once) turns it on.
func (s *Set) Bool(p *bool, flagName, env string, def bool, usage string) {
	s.value(&boolValue{p}, flagName, env, strconv.FormatBool(def), usage)
}

type boolValue struct{ p *bool }

// IsBoolFlag lets the flag package accept --name without a value.
func (v *boolValue) IsBoolFlag() bool { return true }

func (v *boolValue) String() string {
	if v.p == nil {
		return "false"
	}
	return strconv.FormatBool(*v.p)
}

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not true or false")
	}
	*v.p = b
	return nil
}
