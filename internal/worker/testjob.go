package worker

import "time"

// NewTestJob builds a Job as the harness would hand it to a handler after activation, so handler
// tests in other packages can call a Handler directly, without an engine. variables is the job's
// JSON variable document. The fleet's own code never calls it: jobs come from Zeebe.
func NewTestJob(jobType string, key, processInstanceKey int64, retries int32, variables []byte) *Job {
	return &Job{
		Key:                key,
		Type:               jobType,
		ProcessInstanceKey: processInstanceKey,
		BPMNProcessID:      "test",
		ElementID:          jobType,
		Retries:            retries,
		Deadline:           time.Now().Add(time.Minute),
		Headers:            map[string]string{},
		variables:          append([]byte(nil), variables...),
	}
}
