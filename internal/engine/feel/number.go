package feel

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Number is an exact decimal: coefficient × 10^-scale. Values are kept canonical (no trailing
// zeros after the point, an int64 coefficient whenever it fits), so two equal small numbers are
// also equal with ==. Division rounds to 34 significant digits, half even, as FEEL's DECIMAL128.
type Number struct {
	small int64    // the coefficient when big is nil
	big   *big.Int // the coefficient when it does not fit an int64; never mutated once set
	scale int32    // digits after the decimal point, >= 0
}

// divisionDigits is the precision of a quotient: FEEL numbers are IEEE 754 decimal128.
const divisionDigits = 34

// NumberFromInt is the integer n.
func NumberFromInt(n int64) Number { return Number{small: n} }

// NumberFromString parses decimal text: an optional sign, digits, an optional fraction and an
// optional exponent ("12", "-0.5", "1.5e3"), as JSON writes numbers.
func NumberFromString(s string) (Number, error) {
	text := s
	neg := false
	if strings.HasPrefix(text, "-") {
		neg, text = true, text[1:]
	} else if strings.HasPrefix(text, "+") {
		text = text[1:]
	}
	exp := int64(0)
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		e, err := strconv.ParseInt(text[i+1:], 10, 32)
		if err != nil {
			return Number{}, fmt.Errorf("feel: %q is not a number", s)
		}
		exp, text = e, text[:i]
	}
	intPart, frac, _ := strings.Cut(text, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return Number{}, fmt.Errorf("feel: %q is not a number", s)
	}
	digits := intPart + frac
	scale := int64(len(frac)) - exp
	if scale < 0 {
		digits += strings.Repeat("0", int(-scale))
		scale = 0
	}
	if scale > math.MaxInt32/2 {
		return Number{}, fmt.Errorf("feel: %q is out of range", s)
	}
	if len(digits) <= 18 {
		v, _ := strconv.ParseInt(digits, 10, 64)
		if neg {
			v = -v
		}
		return canonicalSmall(v, int32(scale)), nil
	}
	c, _ := new(big.Int).SetString(digits, 10)
	if neg {
		c.Neg(c)
	}
	return canonicalBig(c, int32(scale)), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NumberFromFloat64 is the shortest decimal that reads back as f; ok is false for NaN and ±Inf.
func NumberFromFloat64(f float64) (Number, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Number{}, false
	}
	n, err := NumberFromString(strconv.FormatFloat(f, 'g', -1, 64))
	return n, err == nil
}

func canonicalSmall(c int64, scale int32) Number {
	for scale > 0 && c%10 == 0 {
		c /= 10
		scale--
	}
	return Number{small: c, scale: scale}
}

var bigTen = big.NewInt(10)

// canonicalBig may take ownership of c.
func canonicalBig(c *big.Int, scale int32) Number {
	if scale > 0 && c.Sign() != 0 {
		q, r := new(big.Int), new(big.Int)
		for scale > 0 {
			q.QuoRem(c, bigTen, r)
			if r.Sign() != 0 {
				break
			}
			c, q = q, c
			scale--
		}
	}
	if c.Sign() == 0 {
		return Number{}
	}
	if c.IsInt64() {
		return canonicalSmall(c.Int64(), scale)
	}
	return Number{big: c, scale: scale}
}

// coef is the coefficient as a new big.Int the caller may change.
func (n Number) coef() *big.Int {
	if n.big != nil {
		return new(big.Int).Set(n.big)
	}
	return big.NewInt(n.small)
}

// Int64 is the number as an int64; ok only when it is an integer that fits.
func (n Number) Int64() (int64, bool) {
	if n.big == nil && n.scale == 0 {
		return n.small, true
	}
	return 0, false
}

// IsInteger says whether the number has no fraction.
func (n Number) IsInteger() bool { return n.scale == 0 }

// Float64 is the nearest float64.
func (n Number) Float64() float64 {
	if n.big == nil && n.scale == 0 {
		return float64(n.small)
	}
	f, _ := strconv.ParseFloat(n.String(), 64)
	return f
}

// Sign is -1, 0 or +1.
func (n Number) Sign() int {
	if n.big != nil {
		return n.big.Sign()
	}
	switch {
	case n.small < 0:
		return -1
	case n.small > 0:
		return 1
	}
	return 0
}

// String is canonical decimal text: "42", "-0.5", "2251799813685249"; never an exponent.
func (n Number) String() string {
	if n.big == nil && n.scale == 0 {
		return strconv.FormatInt(n.small, 10)
	}
	var digits string
	if n.big != nil {
		digits = n.big.String()
	} else {
		digits = strconv.FormatInt(n.small, 10)
	}
	if n.scale == 0 {
		return digits
	}
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	if len(digits) <= int(n.scale) {
		digits = strings.Repeat("0", int(n.scale)-len(digits)+1) + digits
	}
	cut := len(digits) - int(n.scale)
	s := digits[:cut] + "." + digits[cut:]
	if neg {
		return "-" + s
	}
	return s
}

// Cmp compares n and m: -1, 0 or +1.
func (n Number) Cmp(m Number) int {
	if n.big == nil && m.big == nil && n.scale == m.scale {
		switch {
		case n.small < m.small:
			return -1
		case n.small > m.small:
			return 1
		}
		return 0
	}
	a, b := align(n, m)
	return a.Cmp(b)
}

// align is both coefficients at the larger scale.
func align(n, m Number) (*big.Int, *big.Int) {
	a, b := n.coef(), m.coef()
	if n.scale < m.scale {
		a.Mul(a, pow10(int(m.scale-n.scale)))
	} else if m.scale < n.scale {
		b.Mul(b, pow10(int(n.scale-m.scale)))
	}
	return a, b
}

func maxScale(n, m Number) int32 { return max(n.scale, m.scale) }

func pow10(k int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(k)), nil) }

// Add is n + m.
func (n Number) Add(m Number) Number {
	if n.big == nil && m.big == nil && n.scale == m.scale {
		s := n.small + m.small
		if (s > n.small) == (m.small > 0) {
			return canonicalSmall(s, n.scale)
		}
	}
	a, b := align(n, m)
	return canonicalBig(a.Add(a, b), maxScale(n, m))
}

// Neg is -n.
func (n Number) Neg() Number {
	if n.big == nil && n.small != math.MinInt64 {
		return Number{small: -n.small, scale: n.scale}
	}
	c := n.coef()
	return canonicalBig(c.Neg(c), n.scale)
}

// Sub is n - m.
func (n Number) Sub(m Number) Number { return n.Add(m.Neg()) }

// Mul is n × m, exact.
func (n Number) Mul(m Number) Number {
	if n.big == nil && m.big == nil {
		if overflow, p := bitsMul(n.small, m.small); !overflow {
			return canonicalSmall(p, n.scale+m.scale)
		}
	}
	a := n.coef()
	return canonicalBig(a.Mul(a, m.coef()), n.scale+m.scale)
}

// bitsMul multiplies, reporting overflow.
func bitsMul(a, b int64) (overflow bool, p int64) {
	if a == 0 || b == 0 {
		return false, 0
	}
	p = a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return true, 0
	}
	return false, p
}

// Div is n / m rounded to 34 significant digits; ok is false when m is zero.
func (n Number) Div(m Number) (Number, bool) {
	if m.Sign() == 0 {
		return Number{}, false
	}
	if n.Sign() == 0 {
		return Number{}, true
	}
	a, b := n.coef(), m.coef()
	// n/m = (a/b) × 10^(m.scale - n.scale); compute a/b with enough extra digits.
	extra := divisionDigits + 2 + numDigits(b) - numDigits(a)
	if extra < 0 {
		extra = 0
	}
	a.Mul(a, pow10(extra))
	q, r := new(big.Int).QuoRem(a, b, new(big.Int))
	scale := int64(extra) + int64(n.scale) - int64(m.scale)
	if r.Sign() != 0 {
		// A sticky digit keeps half-even rounding honest about the discarded remainder.
		q.Mul(q, bigTen)
		if (a.Sign() < 0) != (b.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
		scale++
	}
	if scale < 0 {
		q.Mul(q, pow10(int(-scale)))
		scale = 0
	}
	return roundSignificant(q, int32(scale), divisionDigits), true
}

func numDigits(c *big.Int) int {
	s := c.Text(10)
	if s[0] == '-' {
		return len(s) - 1
	}
	return len(s)
}

// roundSignificant rounds c × 10^-scale to prec significant digits, half even.
func roundSignificant(c *big.Int, scale int32, prec int) Number {
	drop := numDigits(c) - prec
	if drop > int(scale) {
		// Digits of the integer part are kept: the value stays exact at the units.
		drop = int(scale)
	}
	if drop <= 0 {
		return canonicalBig(c, scale)
	}
	return canonicalBig(roundDrop(c, drop, roundHalfEven), scale-int32(drop))
}

type roundingMode int

const (
	roundHalfEven roundingMode = iota
	roundHalfUp                // away from zero on a tie
	roundHalfDown              // towards zero on a tie
	roundUp                    // away from zero
	roundDown                  // towards zero
	roundFloor                 // towards -infinity
	roundCeiling               // towards +infinity
)

// roundDrop drops the last k digits of c with the rounding mode.
func roundDrop(c *big.Int, k int, mode roundingMode) *big.Int {
	if k <= 0 {
		return new(big.Int).Set(c)
	}
	d := pow10(k)
	q, r := new(big.Int).QuoRem(c, d, new(big.Int)) // truncated towards zero
	if r.Sign() == 0 {
		return q
	}
	neg := c.Sign() < 0
	twice := new(big.Int).Abs(r)
	twice.Mul(twice, big.NewInt(2))
	half := twice.Cmp(d) // -1 below half, 0 a tie, +1 above
	away := false
	switch mode {
	case roundHalfEven:
		away = half > 0 || half == 0 && q.Bit(0) == 1
	case roundHalfUp:
		away = half >= 0
	case roundHalfDown:
		away = half > 0
	case roundUp:
		away = true
	case roundDown:
		away = false
	case roundFloor:
		away = neg
	case roundCeiling:
		away = !neg
	}
	if away {
		if neg {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// round is n rounded to scale digits after the point (scale may be negative).
func (n Number) round(scale int32, mode roundingMode) Number {
	if n.scale <= scale {
		return n
	}
	q := roundDrop(n.coef(), int(n.scale-scale), mode)
	if scale < 0 {
		q.Mul(q, pow10(int(-scale)))
		scale = 0
	}
	return canonicalBig(q, scale)
}

// Pow is n ** m: exact for integer exponents, through float64 otherwise; ok is false when
// the result is not a finite number.
func (n Number) Pow(m Number) (Number, bool) {
	if e, ok := m.Int64(); ok && e >= -1000 && e <= 1000 {
		if e >= 0 {
			c := n.coef()
			c.Exp(c, big.NewInt(e), nil)
			return canonicalBig(c, n.scale*int32(e)), true
		}
		p, _ := n.Pow(NumberFromInt(-e))
		return NumberFromInt(1).Div(p)
	}
	return NumberFromFloat64(math.Pow(n.Float64(), m.Float64()))
}

// Mod is FEEL's modulo: the result has the sign of the divisor; ok is false when m is zero.
func (n Number) Mod(m Number) (Number, bool) {
	if m.Sign() == 0 {
		return Number{}, false
	}
	q, _ := n.Div(m)
	q = q.round(0, roundFloor)
	return n.Sub(m.Mul(q)), true
}
