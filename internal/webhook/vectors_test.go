package webhook

import (
	"net/http"
	"strconv"
	"time"
)

// vector is one Standard Webhooks library test vector (docs/replicate.md, "Signatures").
type vector struct {
	name, secret, id string
	ts               int64
	body, sig        string
}

var vectors = []vector{
	{
		name:   "V1",
		secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		id:     "msg_p5jXN8AQM9LWM0D4loKWxJek",
		ts:     1614265330,
		body:   `{"test": 2432232314}`,
		sig:    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
	},
	{
		name:   "V2",
		secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
		id:     "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
		ts:     1649367553,
		body:   `{"email":"test@example.com","username":"test_user"}`,
		sig:    "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
	},
	{
		name:   "V3",
		secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		id:     "msg_p5jXN8AQM9LWM0D4loKWxJek",
		ts:     1696200454,
		body:   `{"type": "example.created", "timestamp":"2023-09-28T19:20:22+00:00", "data":{"str":"string","bool":true,"int":42}}`,
		sig:    "v1,GgjvufBlIj71MBIVQotYGb+xEC3LNXCsIZp0HsDC8qs=",
	},
}

func (v vector) time() time.Time { return time.Unix(v.ts, 0) }

func (v vector) header(sig string) http.Header {
	h := http.Header{}
	h.Set(HeaderID, v.id)
	h.Set(HeaderTimestamp, strconv.FormatInt(v.ts, 10))
	h.Set(HeaderSignature, sig)
	return h
}
