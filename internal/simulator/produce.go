package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// deliveryPath is where output files are served, below the simulator's
// origin and without a token, as replicate.delivery serves them
// (docs/simulator.md, "Files, images and streaming"):
// <origin>/delivery/<prediction id>/out-<n>.png.
const deliveryPath = "/delivery/"

// produce makes a running prediction's output, or the error of a failed
// run. ok is false when the run stopped (canceled, past its deadline, or
// the simulator closing) and must not finish it.
func (s *Simulator) produce(p *prediction, pl plan, expired <-chan time.Time) (out any, errMsg string, ok bool) {
	switch p.target.model.behaviour {
	case behaveEcho:
		out, errMsg = s.echo(p)
		return out, errMsg, true
	case behaveImage:
		out, errMsg = s.images(p)
		return out, errMsg, true
	case behaveStream:
		return nil, "", s.streamTokens(p, expired)
	}
	out, errMsg = p.target.model.result(p.input, pl, s.rng.derive("data:"+p.id))
	return out, errMsg, true
}

// intInput reads a validated integer input, or def when it is absent.
func intInput(input map[string]any, name string, def int64) int64 {
	n, ok := input[name].(json.Number)
	if !ok {
		return def
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return int64(f)
}

// images renders acme/image's PNGs, keeps them for the delivery route and
// returns their URLs. Image n is drawn from seed+n, so a seed gives the same
// pixels every time; without one the seed is drawn and logged, as image
// models do.
func (s *Simulator) images(p *prediction) (any, string) {
	n := intInput(p.input, "num_outputs", 1)
	w := int(intInput(p.input, "width", defaultSide))
	h := int(intInput(p.input, "height", defaultSide))
	sd := intInput(p.input, "seed", 0)
	if _, given := p.input["seed"].(json.Number); !given {
		sd = int64(s.rng.derive("seed:" + p.id).intN(math.MaxInt32))
	}
	files := map[string][]byte{}
	urls := make([]any, 0, n)
	for i := range n {
		b, err := renderPNG(w, h, sd+i)
		if err != nil {
			return nil, "encoding the image: " + err.Error()
		}
		name := "out-" + strconv.FormatInt(i, 10) + ".png"
		files[name] = b
		urls = append(urls, p.origin+deliveryPath+p.id+"/"+name)
	}
	s.update(p, eventLogs, func() {
		p.logs += fmt.Sprintf("Using seed: %d\n", sd)
		p.delivered = files
	})
	return urls, ""
}

// renderPNG draws a w×h image from seed: a diagonal gradient between two
// colours, crossed by a checkerboard, which compresses well.
func renderPNG(w, h int, seed int64) ([]byte, error) {
	r := mrand.New(mrand.NewPCG(uint64(seed), 0x6e6f746966696572))
	var c1, c2 [3]float64
	for i := range 3 {
		c1[i], c2[i] = float64(r.IntN(256)), float64(r.IntN(256))
	}
	cell := 8 + r.IntN(25)
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			t := float64(x+y) / float64(w+h)
			shade := 1.0
			if (x/cell+y/cell)%2 == 0 {
				shade = 0.8
			}
			px := row[4*x : 4*x+4]
			for i := range 3 {
				px[i] = uint8((c1[i]*(1-t) + c2[i]*t) * shade)
			}
			px[3] = 0xff
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// handleDelivery serves an output file at its delivery URL, without a
// token, until the output TTL removes it: then, or for any other name, 404.
func (s *Simulator) handleDelivery(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	id := r.PathValue("id")
	defer func() {
		s.emit(Event{Kind: "delivery", Method: r.Method, Path: r.URL.Path, Status: rec.status, PredictionID: id})
	}()
	s.mu.Lock()
	var b []byte
	if p := s.preds[id]; p != nil {
		b = p.delivered[r.PathValue("name")]
	}
	s.mu.Unlock()
	if b == nil {
		writeProblem(rec, notFound())
		return
	}
	rec.Header().Set("Content-Type", "image/png")
	rec.Header().Set("Content-Length", strconv.Itoa(len(b)))
	rec.WriteHeader(http.StatusOK)
	_, _ = rec.Write(b)
}

// removeData drops a prediction's input, output and delivery files once the
// output TTL has passed since it completed (docs/simulator.md, "Files,
// images and streaming").
func (s *Simulator) removeData(p *prediction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p.dataRemoved, p.delivered = true, nil
	p.notifyLocked()
}
