package simulator

import (
	"time"
)

// plan is how a prediction will run, decided from its input.
type plan struct {
	sleep   time.Duration
	outcome string
}

// plan reads the run's shape from a validated input. The echo model honours
// a numeric "sleep" too, so scripts can make it slow.
func (m *model) plan(input map[string]any) plan {
	p := plan{outcome: outcomeSuccess}
	if f, ok := number(input["sleep"]); ok && f > 0 && f <= maxSleep {
		p.sleep = time.Duration(f * float64(time.Second))
	}
	if s, ok := input["outcome"].(string); ok && m.behaviour == behaveChaos {
		p.outcome = s
	}
	return p
}

// result returns the output, or the error message of a failed run.
func (m *model) result(input map[string]any, pl plan, rng *seededRand) (any, string) {
	if m.behaviour == behaveEcho {
		return input, ""
	}
	switch pl.outcome {
	case outcomeError:
		return nil, "chaos monkey: outcome=error requested"
	case outcomeBadReturnType:
		return nil, "chaos monkey: bad return type: predict() returned str, expected Output"
	case outcomeRandomData:
		nums := make([]int, 5)
		for i := range nums {
			nums[i] = rng.intN(1000)
		}
		return map[string]any{"result": map[string]any{
			"outcome": outcomeRandomData, "numbers": nums, "token": rng.alnum(16),
		}}, ""
	}
	return map[string]any{"result": map[string]any{
		"outcome": outcomeSuccess, "sleep": pl.sleep.Seconds(), "message": "the chaos monkey behaved",
	}}, ""
}
