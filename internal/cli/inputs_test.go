package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	v := strings.Repeat("0123456789abcdef", 4)
	tests := []struct {
		in      string
		want    target
		wantErr bool
	}{
		{v, target{Version: v}, false},
		{"zeke/chaos-monkey", target{Owner: "zeke", Name: "chaos-monkey"}, false},
		{"zeke/chaos-monkey:" + v, target{Owner: "zeke", Name: "chaos-monkey", Version: v}, false},
		{"black-forest-labs/flux_1.1-pro", target{Owner: "black-forest-labs", Name: "flux_1.1-pro"}, false},
		{defaultModel, target{Owner: "zeke", Name: "chaos-monkey", Version: strings.TrimPrefix(defaultModel, "zeke/chaos-monkey:")}, false},
		{"", target{}, true},
		{"zeke", target{}, true},
		{"zeke/", target{}, true},
		{"/chaos-monkey", target{}, true},
		{"a/b/c", target{}, true},
		{"zeke/chaos-monkey:", target{}, true},
		{"zeke/chaos-monkey:abc123", target{}, true},
		{"zeke/chaos-monkey:" + strings.ToUpper(v), target{}, true},
		{strings.ToUpper(v), target{}, true},
		{v[:63], target{}, true},
		{"-x/y", target{}, true},
		{"zeke/chaos monkey", target{}, true},
	}
	for _, tt := range tests {
		got, err := parseTarget(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseTarget(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			continue
		}
		if err != nil {
			if code, _ := exitCodeOf(err); code != exitUsage {
				t.Errorf("parseTarget(%q) error exits %d, want %d", tt.in, code, exitUsage)
			}
			continue
		}
		if s := got.String(); s != tt.in {
			t.Errorf("parseTarget(%q).String() = %q, want the input back", tt.in, s)
		}
	}
}

func TestInputValue(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"0.5", json.Number("0.5")},
		{"10000000000000001", json.Number("10000000000000001")},
		{"-3", json.Number("-3")},
		{"1e3", json.Number("1e3")},
		{"1.0", json.Number("1.0")},
		{" 5 ", json.Number("5")},
		{"true", true},
		{"false", false},
		{`{"a":1,"b":[true,"x"]}`, map[string]any{"a": json.Number("1"), "b": []any{true, "x"}}},
		{`[1,"x",null]`, []any{json.Number("1"), "x", nil}},
		{"[]", []any{}},
		{"{}", map[string]any{}},
		{"hello", "hello"},
		{"hello world", "hello world"},
		{"", ""},
		{"null", "null"},
		{`"x"`, `"x"`},
		{`""`, `""`},
		{"1 2", "1 2"},
		{"01", "01"},
		{"1,2", "1,2"},
		{"0x10", "0x10"},
		{"True", "True"},
		{"NaN", "NaN"},
		{`{"a":1} x`, `{"a":1} x`},
		{`{"a":1}{}`, `{"a":1}{}`},
		{`{"a":`, `{"a":`},
		{"[1", "[1"},
		{"https://example.com/a.png", "https://example.com/a.png"},
	}
	for _, tt := range tests {
		if got := inputValue(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("inputValue(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// TestInputValueTrailingCloser checks that a stray closing bracket after a
// complete JSON value is trailing garbage too: the value stays a string. The
// decoder's Token reports such a bracket as an error, not as a token.
func TestInputValueTrailingCloser(t *testing.T) {
	for _, in := range []string{"1]", "[1]]", "{}}", "true}", `{"a":1}]`} {
		if got := inputValue(in); got != any(in) {
			t.Errorf("inputValue(%q) = %#v, want the string %q", in, got, in)
		}
	}
}

func TestParseInputs(t *testing.T) {
	tests := []struct {
		name    string
		pairs   []string
		want    map[string]any
		wantErr string
	}{
		{"none", nil, map[string]any{}, ""},
		{"typed values", []string{"sleep=0.5", "seed=10000000000000001", "fast=true", "prompt=a cat"},
			map[string]any{"sleep": json.Number("0.5"), "seed": json.Number("10000000000000001"), "fast": true, "prompt": "a cat"}, ""},
		{"value with =", []string{"expr=a=b"}, map[string]any{"expr": "a=b"}, ""},
		{"empty value", []string{"prompt="}, map[string]any{"prompt": ""}, ""},
		{"key trimmed", []string{" prompt =x"}, map[string]any{"prompt": "x"}, ""},
		{"null stays a string", []string{"x=null"}, map[string]any{"x": "null"}, ""},
		{"object", []string{`cfg={"k":[1,2]}`}, map[string]any{"cfg": map[string]any{"k": []any{json.Number("1"), json.Number("2")}}}, ""},
		{"KEY without =", []string{"prompt"}, nil, `invalid input "prompt": want KEY=VALUE`},
		{"empty key", []string{"=x"}, nil, `invalid input "=x"`},
		{"blank key", []string{"  =x"}, nil, `invalid input "  =x"`},
		{"duplicate key", []string{"a=1", "a=2"}, nil, `input "a" given twice`},
		{"duplicate after trimming", []string{"a=1", " a=2"}, nil, `input "a" given twice`},
		{"number beyond float64", []string{"x=1e400"}, nil, `invalid input "x": the number 1e400 is beyond what a 64-bit float holds`},
		{"negative overflow", []string{"x=-1e309"}, nil, `the number -1e309 is beyond`},
		{"overflow inside an object", []string{`cfg={"a":[1,{"b":2e308}]}`}, nil, `invalid input "cfg": the number 2e308`},
		{"tiny numbers are fine", []string{"x=1e-400", "y=1.7976931348623157e308"},
			map[string]any{"x": json.Number("1e-400"), "y": json.Number("1.7976931348623157e308")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseInputs(tt.pairs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseInputs = %v, %v; want error containing %q", got, err, tt.wantErr)
				}
				if code, _ := exitCodeOf(err); code != exitUsage {
					t.Errorf("exit code %d, want %d", code, exitUsage)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseInputs: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseInputs = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestParseInputsNumbersOnTheWire checks that numbers reach the API exactly as typed.
func TestParseInputsNumbersOnTheWire(t *testing.T) {
	in, err := parseInputs([]string{"a=0.5", "b=10000000000000001", "c=1.0"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":0.5,"b":10000000000000001,"c":1.0}`; string(b) != want {
		t.Errorf("encoded %s, want %s", b, want)
	}
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		args       []string
		wantModel  string
		wantInputs []string
	}{
		{nil, "", nil},
		{[]string{}, "", []string{}},
		{[]string{"zeke/chaos-monkey"}, "zeke/chaos-monkey", []string{}},
		{[]string{"zeke/chaos-monkey", "sleep=1"}, "zeke/chaos-monkey", []string{"sleep=1"}},
		{[]string{"sleep=1", "outcome=error"}, "", []string{"sleep=1", "outcome=error"}},
		{[]string{"sleep=1", "zeke/chaos-monkey"}, "", []string{"sleep=1", "zeke/chaos-monkey"}},
		{[]string{"prompt"}, "prompt", []string{}},
	}
	for _, tt := range tests {
		model, inputs := splitArgs(tt.args)
		if model != tt.wantModel || len(inputs) != len(tt.wantInputs) || (len(inputs) > 0 && !reflect.DeepEqual(inputs, tt.wantInputs)) {
			t.Errorf("splitArgs(%q) = %q, %q; want %q, %q", tt.args, model, inputs, tt.wantModel, tt.wantInputs)
		}
	}
}
