package cli

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// instanceView is what `fleetctl instance` prints: the instance, its element visits, its
// incidents with their runbooks, and its variables.
type instanceView struct {
	Instance  engineapi.ProcessInstance   `json:"instance"`
	Elements  []engineapi.ElementInstance `json:"elements"`
	Incidents []incidentView              `json:"incidents"`
	Variables []engineapi.Variable        `json:"variables"`
}

// incidentView is an incident with the runbook that says how to fix it.
type incidentView struct {
	engineapi.Incident
	Runbook string `json:"runbook,omitempty"`
}

func withRunbooks(incidents []engineapi.Incident) []incidentView {
	out := make([]incidentView, len(incidents))
	for i, in := range incidents {
		out[i] = incidentView{Incident: in, Runbook: worker.RunbookOf(in.ErrorType, in.ErrorMessage)}
	}
	return out
}

func newInstanceCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "instance KEY",
		Short: "Show a process instance: its elements and their states, incidents with runbooks, variables",
		Long: `instance reads one process instance from the engine's read API (the v2 search routes, so a
Camunda 8.8+ REST API answers too): its state, every element it visited with that visit's state,
its incidents with the runbook each points to, and its variables by scope.`,
		Example: `  fleetctl instance 2251799813685249
  fleetctl instance 2251799813685249 -o json | jq '.incidents'`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			key, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("instance key %q is not a number", args[0])
			}
			api := opts.engineAPI()
			ctx := c.Context()
			var v instanceView
			if v.Instance, err = api.ProcessInstance(ctx, key); err != nil {
				return err
			}
			if v.Elements, err = api.ElementInstances(ctx, key); err != nil {
				return err
			}
			incidents, err := api.Incidents(ctx, engineapi.IncidentFilter{ProcessInstanceKeys: []int64{key}})
			if err != nil {
				return err
			}
			v.Incidents = withRunbooks(incidents)
			if v.Variables, err = api.Variables(ctx, key); err != nil {
				return err
			}
			slices.SortFunc(v.Variables, func(a, b engineapi.Variable) int {
				return cmp.Or(cmp.Compare(a.ScopeKey, b.ScopeKey), cmp.Compare(a.Name, b.Name))
			})
			return opts.emit(c.OutOrStdout(), v, func(w *tabwriter.Writer) { instanceTable(w, v) })
		},
	}
}

func instanceTable(w *tabwriter.Writer, v instanceView) {
	pi := v.Instance
	state := pi.State
	if pi.HasIncident {
		state += " (incident)"
	}
	fmt.Fprintf(w, "instance %d  %s v%d  %s  started %s  ended %s\n\n", pi.Key, pi.ProcessDefinitionID,
		pi.ProcessDefinitionVersion, state, orDash(pi.StartDate), orDash(pi.EndDate))
	row(w, "ELEMENT", "TYPE", "STATE", "KEY", "STARTED", "ENDED")
	for _, e := range v.Elements {
		st := e.State
		if e.HasIncident {
			st += " (incident)"
		}
		row(w, e.ElementID, e.Type, st, e.Key, orDash(e.StartDate), orDash(e.EndDate))
	}
	_ = w.Flush()
	fmt.Fprintln(w)
	incidentTable(w, v.Incidents)
	fmt.Fprintln(w)
	row(w, "VARIABLE", "SCOPE", "VALUE")
	for _, x := range v.Variables {
		scope := "instance"
		if x.ScopeKey != pi.Key {
			scope = strconv.FormatInt(int64(x.ScopeKey), 10)
		}
		row(w, x.Name, scope, truncateValue(x.Value, 100))
	}
}

func incidentTable(w *tabwriter.Writer, incidents []incidentView) {
	if len(incidents) == 0 {
		fmt.Fprintln(w, "no incidents")
		return
	}
	row(w, "INCIDENT", "INSTANCE", "ELEMENT", "TYPE", "STATE", "CREATED", "RUNBOOK", "MESSAGE")
	for _, in := range incidents {
		row(w, in.Key, in.ProcessInstanceKey, in.ElementID, in.ErrorType, in.State, orDash(in.CreationTime),
			orDash(in.Runbook), truncateValue(in.ErrorMessage, 120))
	}
	_ = w.Flush()
}

func truncateValue(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func newIncidentsCmd(opts *Options) *cobra.Command {
	var orderID string
	var all bool
	cmd := &cobra.Command{
		Use:   "incidents",
		Short: "List open incidents, with the runbook each points to",
		Long: `incidents lists the engine's open incidents (all of them, or those of one order's instances)
with the element they stopped at and the runbook that says how to fix them. An order's
instances are found by its orderId variable, so an instance our tables never recorded shows too.`,
		Example: `  fleetctl incidents
  fleetctl incidents --order 0b6f...-uuid
  fleetctl incidents --all -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			api := opts.engineAPI()
			filter := engineapi.IncidentFilter{State: engineapi.IncidentActive}
			if all {
				filter.State = ""
			}
			if orderID != "" {
				keys, err := api.InstancesWithVariable(c.Context(), "orderId", orderID)
				if err != nil {
					return err
				}
				if len(keys) == 0 {
					return fmt.Errorf("the engine holds no instance with orderId %s", orderID)
				}
				filter.ProcessInstanceKeys = keys
			}
			incidents, err := api.Incidents(c.Context(), filter)
			if err != nil {
				return err
			}
			views := withRunbooks(incidents)
			return opts.emit(c.OutOrStdout(), views, func(w *tabwriter.Writer) { incidentTable(w, views) })
		},
	}
	cmd.Flags().StringVar(&orderID, "order", "", "only the incidents of this order's instances")
	cmd.Flags().BoolVar(&all, "all", false, "resolved incidents too")
	return cmd
}
