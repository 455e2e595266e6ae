package listener

import (
	"encoding/json"
	"strings"
	"testing"
)

// oldDecode is what decodeSummary replaces: encoding/json's validity scan
// and decoding.
func oldDecode(body []byte) (Summary, bool) {
	var p Summary
	if !isJSONObject(body) || json.Unmarshal(body, &p) != nil {
		return Summary{}, false
	}
	return p, true
}

// summaryCases are bodies on which decodeSummary must agree with
// encoding/json; FuzzDecodeSummary starts from them.
var summaryCases = []string{
	predictionBody,
	body2K,
	`{}`, ` {} `, "\t\r\n{}\n", `{`, `}`, `{}}`, `{} {}`, `{}x`, `[]`, `"x"`, `1`, `null`, ``, ` `,
	`{"id":"a","status":"succeeded","model":"m"}`,
	`{"id":"a","id":"b"}`, `{"id":"a","id":null}`, `{"id":null}`, `{"id":1}`, `{"id":true}`, `{"id":{}}`, `{"id":["x"]}`,
	`{"ID":"a"}`, `{"Status":"succeeded"}`, `{"MODEL":"m"}`, `{"ſtatus":"succeeded"}`, `{"\u0069d":"a"}`, `{"i\"d":"a"}`,
	`{"id":"a\nb"}`, `{"id":"a\u00e9"}`, `{"id":"é"}`, "{\"id\":\"\xff\"}", "{\"id\":\"a\x01\"}", "{\"id\":\"\x7f\"}",
	`{"id":"\ud800"}`, `{"id":"\uZZZZ"}`, `{"id":"\u12"}`, `{"id":"\x"}`, `{"id":"\/"}`, `{"id":"abc`, `{"id":"abc\`,
	`{"a":{"id":"nested"},"id":"top"}`, `{"a":[{"id":"x"}],"status":"failed"}`,
	`{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":}`, `{"a"}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`,
	`{"a":[]}`, `{"a":[ ]}`, `{"a":{ }}`, `{"a":[[],[{}]]}`, `{"a":]}`, `{"a":[}`, `{"a":{]}`, `{"a":[}]}`,
	`{"n":0}`, `{"n":-0}`, `{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":.5}`, `{"n":1.5e}`, `{"n":1e+}`, `{"n":1E-7}`, `{"n":-12.5e+30}`,
	`{"n":+1}`, `{"n":1x}`, `{"n":0x10}`, `{"n":1.2.3}`, `{"n":Infinity}`, `{"n":NaN}`,
	`{"t":true}`, `{"t":tru}`, `{"t":truex}`, `{"f":false}`, `{"f":fals}`, `{"z":null}`, `{"z":nul}`, `{"z":nulll}`,
	`{"s":"` + strings.Repeat("0123456789abcdef", 10) + `"}`, `{"s":"` + strings.Repeat("x", 7) + `\"` + strings.Repeat("y", 9) + `"}`,
	strings.Repeat("[", 10) + strings.Repeat("]", 10),
	`{"d":` + strings.Repeat("[", maxNestingDepth-1) + strings.Repeat("]", maxNestingDepth-1) + `}`,
	`{"d":` + strings.Repeat("[", maxNestingDepth) + strings.Repeat("]", maxNestingDepth) + `}`,
	`{"d":` + strings.Repeat(`{"a":`, maxNestingDepth-1) + `1` + strings.Repeat("}", maxNestingDepth-1) + `}`,
	`{"d":` + strings.Repeat(`{"a":`, maxNestingDepth) + `1` + strings.Repeat("}", maxNestingDepth) + `}`,
}

func TestDecodeSummaryAgreesWithEncodingJSON(t *testing.T) {
	for _, body := range summaryCases {
		checkSummary(t, []byte(body))
	}
}

func FuzzDecodeSummary(f *testing.F) {
	for _, body := range summaryCases {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSummary(t, body)
	})
}

func checkSummary(t *testing.T, body []byte) {
	t.Helper()
	want, wantOK := oldDecode(body)
	got, ok := decodeSummary(body)
	if ok != wantOK || got != want {
		t.Errorf("decodeSummary(%.200q) = %+v, %v; encoding/json: %+v, %v", body, got, ok, want, wantOK)
	}
}

// BenchmarkDecodeSummary compares decodeSummary with encoding/json on a
// 2 KiB prediction.
func BenchmarkDecodeSummary(b *testing.B) {
	body := []byte(body2K)
	for _, bb := range []struct {
		name   string
		decode func([]byte) (Summary, bool)
	}{{"scan", decodeSummary}, {"encoding-json", oldDecode}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := bb.decode(body); !ok {
					b.Fatal("not decoded")
				}
			}
		})
	}
}
