package domain

// JSON shapes of catalog/catalog.json. They stay private: the rest of the
// domain sees only the validated Catalog built from them.

type catalogSpec struct {
	Version   string         `json:"version"`
	TaskTypes []taskTypeSpec `json:"taskTypes"`
	Products  []productSpec  `json:"products"`
}

type taskTypeSpec struct {
	Type          TaskType          `json:"type"`
	OwnerSystem   string            `json:"ownerSystem"`
	ExecutionMode ExecutionMode     `json:"executionMode"`
	Retry         *retrySpec        `json:"retry"`
	Timeout       *timeoutSpec      `json:"timeout"`
	Compensation  *compensationSpec `json:"compensation"`
}

type retrySpec struct {
	MaxAttempts int    `json:"maxAttempts"`
	Backoff     string `json:"backoff"`
}

type timeoutSpec struct {
	Timeout            string          `json:"timeout"`
	SoftReminderBefore string          `json:"softReminderBefore"`
	OnTimeout          TimeoutAction   `json:"onTimeout"`
	FalloutCategory    FalloutCategory `json:"falloutCategory"`
}

type compensationSpec struct {
	Compensatable        bool     `json:"compensatable"`
	CompensationTaskType TaskType `json:"compensationTaskType"`
	Reversible           bool     `json:"reversible"`
	RequiresManualReview bool     `json:"requiresManualReview"`
}

type productSpec struct {
	Code               string                        `json:"code"`
	Name               string                        `json:"name"`
	Kind               string                        `json:"kind"`
	ParentProducts     []string                      `json:"parentProducts"`
	RequiredAttributes map[ItemAction][]string       `json:"requiredAttributes"`
	Decompositions     map[ItemAction][]templateSpec `json:"decompositions"`
}

// templateSpec is one task of a product's decomposition. Any policy given
// here replaces the task type's default as a whole.
type templateSpec struct {
	Key           string            `json:"key"`
	Component     string            `json:"component"`
	TaskType      TaskType          `json:"taskType"`
	DependsOn     []string          `json:"dependsOn"`
	Optional      bool              `json:"optional"`
	OwnerSystem   string            `json:"ownerSystem"`
	ExecutionMode ExecutionMode     `json:"executionMode"`
	Retry         *retrySpec        `json:"retry"`
	Timeout       *timeoutSpec      `json:"timeout"`
	Compensation  *compensationSpec `json:"compensation"`
}

func (s retrySpec) policy() (RetryPolicy, error) {
	if s.MaxAttempts < 1 {
		return RetryPolicy{}, Errorf(EINVALID, "retry policy needs maxAttempts >= 1")
	}
	d, err := ParseISODuration(s.Backoff)
	if err != nil {
		return RetryPolicy{}, err
	}
	return RetryPolicy{MaxAttempts: s.MaxAttempts, Backoff: d, BackoffISO: s.Backoff}, nil
}

func (s timeoutSpec) policy() (TimeoutPolicy, error) {
	d, err := ParseISODuration(s.Timeout)
	if err != nil {
		return TimeoutPolicy{}, err
	}
	if d <= 0 {
		return TimeoutPolicy{}, Errorf(EINVALID, "timeout must be positive")
	}
	p := TimeoutPolicy{Timeout: d, TimeoutISO: s.Timeout, OnTimeout: s.OnTimeout, FalloutCategory: s.FalloutCategory}
	if s.SoftReminderBefore != "" {
		if p.SoftReminderBefore, err = ParseISODuration(s.SoftReminderBefore); err != nil {
			return TimeoutPolicy{}, err
		}
		if p.SoftReminderBefore >= d {
			return TimeoutPolicy{}, Errorf(EINVALID, "soft reminder %s is not before timeout %s", s.SoftReminderBefore, s.Timeout)
		}
		p.SoftReminderBeforeISO = s.SoftReminderBefore
	}
	if !p.OnTimeout.Valid() {
		return TimeoutPolicy{}, Errorf(EINVALID, "unknown onTimeout %q", p.OnTimeout)
	}
	if !p.FalloutCategory.Valid() {
		return TimeoutPolicy{}, Errorf(EINVALID, "unknown fallout category %q", p.FalloutCategory)
	}
	return p, nil
}

func (s compensationSpec) policy() (CompensationPolicy, error) {
	p := CompensationPolicy(s)
	if p.Compensatable && p.CompensationTaskType == "" {
		return p, Errorf(EINVALID, "compensatable task needs compensationTaskType")
	}
	if !p.Compensatable && (p.CompensationTaskType != "" || p.Reversible || p.RequiresManualReview) {
		return p, Errorf(EINVALID, "non-compensatable task must not set compensation details")
	}
	return p, nil
}
