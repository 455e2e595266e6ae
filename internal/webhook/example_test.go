package webhook_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/notifier-dev/notifier/internal/webhook"
)

func Example() {
	secret, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}
	body := []byte(`{"test": 2432232314}`)
	sent := time.Unix(1614265330, 0)

	h := http.Header{}
	secret.SignHeaders(h, "msg_p5jXN8AQM9LWM0D4loKWxJek", sent, body)
	fmt.Println(h.Get(webhook.HeaderSignature))

	fmt.Println(secret.Verify(h, body, sent.Add(time.Minute)))

	err = secret.Verify(h, body, sent.Add(7*time.Minute+2*time.Second))
	var te *webhook.TimestampError
	fmt.Println(errors.As(err, &te), err)

	fmt.Printf("%v\n", secret)
	// Output:
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
	// <nil>
	// true stale timestamp (skew 7m2s)
	// whsec_[redacted]
}
