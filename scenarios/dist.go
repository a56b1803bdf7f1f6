package scenarios

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"pilotsim/internal/randdist"
)

// distKind is a distribution family.
type distKind uint8

const (
	kindConst distKind = iota
	kindExp
	kindLogNormal
	kindGamma
	kindNormal
	kindUniform
	kindTriangular
	kindEmpirical
)

// DistKinds lists the distribution names a scenario may use.
var DistKinds = []string{"exp", "lognormal", "gamma", "normal", "uniform", "triangular", "const", "empirical"}

// Sampler draws from a distribution. It is a small value built once from a Dist;
// Sample does no allocation. The zero Sampler always returns 0.
type Sampler struct {
	kind     distKind
	a, b, c  float64   // parameters; meaning depends on kind
	lo, hi   float64   // truncation: results are clamped to [lo, hi]
	values   []float64 // empirical values
	cum      []float64 // empirical cumulative weights, last = 1
	mean     float64
	variance float64
}

// distFields lists, per distribution, the Dist fields it takes; any other
// field given is an error (a typo such as sd on an exp would otherwise be
// silently ignored).
var distFields = map[string][]string{
	"const":      {"value"},
	"exp":        {"mean", "min", "max"},
	"lognormal":  {"median", "sigma", "mean", "cv", "min", "max"},
	"gamma":      {"mean", "cv", "min", "max"},
	"normal":     {"mean", "sd", "cv", "min", "max"},
	"uniform":    {"min", "max"},
	"triangular": {"min", "mode", "max"},
	"empirical":  {"values", "weights", "min", "max"},
}

// given lists the fields of d that are set, in format order.
func (d Dist) given() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"mean", d.Mean != nil}, {"cv", d.CV != nil}, {"median", d.Median != nil},
		{"sigma", d.Sigma != nil}, {"sd", d.SD != nil}, {"min", d.Min != nil},
		{"max", d.Max != nil}, {"mode", d.Mode != nil}, {"value", d.Value != nil},
		{"values", d.Values != nil}, {"weights", d.Weights != nil},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// Sampler validates d and returns its sampler. The error says which fields the
// distribution needs; the loader adds the file position.
func (d Dist) Sampler() (Sampler, error) {
	s := Sampler{lo: math.Inf(-1), hi: math.Inf(1)}
	switch d.Kind {
	case "":
		return s, fmt.Errorf("missing dist (want one of %s)", strings.Join(DistKinds, ", "))
	}
	takes, ok := distFields[d.Kind]
	if !ok {
		return s, fmt.Errorf("unknown dist %q (want one of %s)", d.Kind, strings.Join(DistKinds, ", "))
	}
	for _, f := range d.given() {
		if !slices.Contains(takes, f) {
			return s, fmt.Errorf("%s distribution does not take %s (it takes %s)", d.Kind, f, strings.Join(takes, ", "))
		}
	}
	for _, f := range []struct {
		name string
		p    *float64
	}{{"mean", d.Mean}, {"cv", d.CV}, {"median", d.Median}, {"sigma", d.Sigma}, {"sd", d.SD},
		{"min", d.Min}, {"max", d.Max}, {"mode", d.Mode}, {"value", d.Value}} {
		if f.p != nil && (math.IsNaN(*f.p) || math.IsInf(*f.p, 0)) {
			return s, fmt.Errorf("%s must be a finite number, got %v", f.name, *f.p)
		}
	}
	for i, x := range d.Values {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return s, fmt.Errorf("values[%d] must be a finite number, got %v", i, x)
		}
	}
	truncates := d.Kind != "uniform" && d.Kind != "triangular"
	if d.Min != nil && truncates {
		s.lo = *d.Min
	}
	if d.Max != nil && truncates {
		s.hi = *d.Max
	}
	if s.lo > s.hi {
		return s, fmt.Errorf("min (%g) must not exceed max (%g)", s.lo, s.hi)
	}
	pos := func(name string, p *float64) (float64, error) {
		if p == nil {
			return 0, fmt.Errorf("%s distribution needs %s", d.Kind, name)
		}
		if !(*p > 0) {
			return 0, fmt.Errorf("%s must be > 0, got %v", name, *p)
		}
		return *p, nil
	}
	var err error
	switch d.Kind {
	case "const":
		if d.Value == nil {
			return s, errors.New("const distribution needs value")
		}
		s.kind, s.a = kindConst, *d.Value
		s.mean = s.a
	case "exp":
		s.kind = kindExp
		if s.a, err = pos("mean", d.Mean); err != nil {
			return s, err
		}
		s.mean, s.variance = s.a, s.a*s.a
	case "lognormal":
		s.kind = kindLogNormal
		switch {
		case d.Median != nil && d.Sigma != nil && d.Mean == nil && d.CV == nil:
			m, err := pos("median", d.Median)
			if err != nil {
				return s, err
			}
			if *d.Sigma < 0 {
				return s, fmt.Errorf("sigma must be >= 0, got %v", *d.Sigma)
			}
			s.a, s.b = math.Log(m), *d.Sigma
		case d.Mean != nil && d.CV != nil && d.Median == nil && d.Sigma == nil:
			m, err := pos("mean", d.Mean)
			if err != nil {
				return s, err
			}
			cv, err := pos("cv", d.CV)
			if err != nil {
				return s, err
			}
			s2 := math.Log1p(cv * cv)
			s.a, s.b = math.Log(m)-s2/2, math.Sqrt(s2)
		default:
			return s, errors.New("lognormal distribution needs median and sigma, or mean and cv")
		}
		s.mean = math.Exp(s.a + s.b*s.b/2)
		s.variance = math.Expm1(s.b*s.b) * s.mean * s.mean
	case "gamma":
		s.kind = kindGamma
		m, err := pos("mean", d.Mean)
		if err != nil {
			return s, err
		}
		cv, err := pos("cv", d.CV)
		if err != nil {
			return s, err
		}
		s.a = 1 / (cv * cv) // shape
		s.b = s.a / m       // rate
		if !(s.b > 0) || math.IsInf(s.a, 0) || math.IsInf(s.b, 0) {
			return s, fmt.Errorf("gamma with mean %g and cv %g is out of range", m, cv)
		}
		s.mean, s.variance = m, m*m*cv*cv
	case "normal":
		s.kind = kindNormal
		if d.Mean == nil {
			return s, errors.New("normal distribution needs mean and sd (or cv)")
		}
		s.a = *d.Mean
		switch {
		case d.SD != nil && d.CV != nil:
			return s, errors.New("normal distribution needs sd or cv, not both")
		case d.SD != nil:
			if *d.SD < 0 {
				return s, fmt.Errorf("sd must be >= 0, got %v", *d.SD)
			}
			s.b = *d.SD
		case d.CV != nil:
			if *d.CV < 0 {
				return s, fmt.Errorf("cv must be >= 0, got %v", *d.CV)
			}
			s.b = *d.CV * math.Abs(s.a)
		default:
			return s, errors.New("normal distribution needs sd or cv")
		}
		s.mean, s.variance = s.a, s.b*s.b
	case "uniform":
		s.kind = kindUniform
		if d.Min == nil || d.Max == nil {
			return s, errors.New("uniform distribution needs min and max")
		}
		if !(*d.Min < *d.Max) {
			return s, fmt.Errorf("uniform distribution needs min < max, got min %g, max %g", *d.Min, *d.Max)
		}
		s.a, s.b = *d.Min, *d.Max
		s.mean, s.variance = (s.a+s.b)/2, (s.b-s.a)*(s.b-s.a)/12
	case "triangular":
		s.kind = kindTriangular
		if d.Min == nil || d.Mode == nil || d.Max == nil {
			return s, errors.New("triangular distribution needs min, mode and max")
		}
		s.a, s.c, s.b = *d.Min, *d.Mode, *d.Max
		if !(s.a <= s.c && s.c <= s.b) || !(s.a < s.b) {
			return s, fmt.Errorf("triangular distribution needs min <= mode <= max and min < max, got %g, %g, %g", s.a, s.c, s.b)
		}
		s.mean = (s.a + s.b + s.c) / 3
		s.variance = (s.a*s.a + s.b*s.b + s.c*s.c - s.a*s.b - s.a*s.c - s.b*s.c) / 18
	case "empirical":
		s.kind = kindEmpirical
		if len(d.Values) == 0 {
			return s, errors.New("empirical distribution needs values")
		}
		w := d.Weights
		if len(w) == 0 {
			w = make([]float64, len(d.Values))
			for i := range w {
				w[i] = 1
			}
		}
		if len(w) != len(d.Values) {
			return s, fmt.Errorf("empirical distribution has %d values but %d weights", len(d.Values), len(w))
		}
		s.values = append([]float64(nil), d.Values...)
		s.cum = make([]float64, len(w))
		total := 0.0
		for i, x := range w {
			if !(x >= 0) || math.IsInf(x, 0) {
				return s, fmt.Errorf("weights[%d] must be a finite number >= 0, got %v", i, x)
			}
			total += x
			s.cum[i] = total
		}
		if !(total > 0) || math.IsInf(total, 0) {
			return s, errors.New("empirical weights must not all be zero")
		}
		for i := range s.cum {
			s.cum[i] /= total
		}
		s.cum[len(s.cum)-1] = 1
		prev := 0.0
		for i, v := range s.values {
			p := s.cum[i] - prev
			prev = s.cum[i]
			s.mean += p * v
		}
		prev = 0
		for i, v := range s.values {
			p := s.cum[i] - prev
			prev = s.cum[i]
			s.variance += p * (v - s.mean) * (v - s.mean)
		}
	}
	return s, nil
}

// Sample draws one value using r, clamped to [min, max] when the Dist gives
// them. It allocates nothing: it uses the inverse CDF, r's own exponential and
// normal generators, or (gamma) Marsaglia and Tsang's method on them;
// TestSampleMatchesDistuv checks each agrees with gonum's distuv.
func (s *Sampler) Sample(r *rand.Rand) float64 {
	var x float64
	switch s.kind {
	case kindConst:
		return s.a
	case kindExp:
		x = s.a * r.ExpFloat64()
	case kindLogNormal:
		x = math.Exp(s.a + s.b*r.NormFloat64())
	case kindGamma:
		x = randdist.Gamma(r, s.a) / s.b
	case kindNormal:
		x = s.a + s.b*r.NormFloat64()
	case kindUniform:
		x = s.a + (s.b-s.a)*r.Float64()
	case kindTriangular:
		u := r.Float64()
		f := (s.c - s.a) / (s.b - s.a)
		if u < f {
			x = s.a + math.Sqrt(u*(s.b-s.a)*(s.c-s.a))
		} else {
			x = s.b - math.Sqrt((1-u)*(s.b-s.a)*(s.b-s.c))
		}
	case kindEmpirical:
		// Value i has probability cum[i] - cum[i-1]: it is drawn when
		// cum[i-1] <= u < cum[i], so find the first cum[i] > u (values of
		// weight zero are never drawn).
		u := r.Float64()
		lo, hi := 0, len(s.cum)-1
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if s.cum[m] > u {
				hi = m
			} else {
				lo = m + 1
			}
		}
		x = s.values[lo]
	}
	if x < s.lo {
		x = s.lo
	}
	if x > s.hi {
		x = s.hi
	}
	return x
}

// Mean returns the distribution's mean (before truncation by min and max).
func (s *Sampler) Mean() float64 { return s.mean }

// Variance returns the distribution's variance (before truncation).
func (s *Sampler) Variance() float64 { return s.variance }

// Distuv returns the same distribution as a gonum distuv value drawing from
// src, for tests and for quantiles; nil for const and empirical.
func (s *Sampler) Distuv(src rand.Source) distuv.Rander {
	switch s.kind {
	case kindExp:
		return distuv.Exponential{Rate: 1 / s.a, Src: src}
	case kindLogNormal:
		return distuv.LogNormal{Mu: s.a, Sigma: s.b, Src: src}
	case kindGamma:
		return distuv.Gamma{Alpha: s.a, Beta: s.b, Src: src}
	case kindNormal:
		return distuv.Normal{Mu: s.a, Sigma: s.b, Src: src}
	case kindUniform:
		return distuv.Uniform{Min: s.a, Max: s.b, Src: src}
	case kindTriangular:
		return distuv.NewTriangle(s.a, s.b, s.c, src)
	}
	return nil
}

// IsConst reports whether the distribution always gives the same value.
func (s *Sampler) IsConst() bool { return s.kind == kindConst }

// lower returns the lowest value the sampler can give (after truncation).
func (s *Sampler) lower() float64 {
	var x float64
	switch s.kind {
	case kindConst:
		return s.a
	case kindExp, kindLogNormal, kindGamma:
		x = 0
	case kindNormal:
		x = math.Inf(-1)
		if s.b == 0 {
			x = s.a
		}
	case kindUniform, kindTriangular:
		x = s.a
	case kindEmpirical:
		x = math.Inf(1)
		for i, v := range s.values {
			if w := s.cum[i] - prevCum(s.cum, i); w > 0 {
				x = math.Min(x, v)
			}
		}
	}
	return math.Max(x, s.lo)
}

func prevCum(cum []float64, i int) float64 {
	if i == 0 {
		return 0
	}
	return cum[i-1]
}
