package email

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/notify/email/smtptest"
)

// TestChannelThroughDispatcher sends each kind of notification through the
// dispatcher and the email channel to a real SMTP server.
func TestChannelThroughDispatcher(t *testing.T) {
	srv := startServer(t, smtptest.Options{Security: smtptest.StartTLS, Username: testUser, Password: testPassword})
	ch := NewChannel(newSender(t, srv.URL(), srv), []string{"ops@example.com"})
	if ch.Name() != "email to ops@example.com" {
		t.Errorf("Name() = %q", ch.Name())
	}
	d := notify.New(notify.Config{}, notify.Route{Channel: ch})
	p := &replicate.Prediction{ID: "p9x", Model: "zeke/chaos-monkey", Status: replicate.Failed}
	d.Notify(notify.Notification{Kind: notify.KindResult, Prediction: p, Raw: []byte(`{"id":"p9x","status":"failed"}`)})
	d.Notify(notify.Notification{Kind: notify.KindSummary, Title: "smoke zeke/chaos-monkey: FAIL", Lines: []string{"1 failed"}, Failed: true})
	d.Notify(notify.Notification{Kind: notify.KindAlert, Alert: &notify.Alert{Failures: 3, Total: 4, Threshold: 0.5, Window: 10 * time.Minute, At: time.Now()}})
	if err := d.Close(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.WaitMessages(testContext(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"[notifier] zeke/chaos-monkey p9x failed":                                 true,
		"[notifier] smoke zeke/chaos-monkey: FAIL":                                true,
		"[notifier] alert: 3 of 4 predictions failed in the last 10m (75% ≥ 50%)": true,
	}
	for _, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if !want[subject] {
			t.Errorf("unexpected subject %q", subject)
		}
		delete(want, subject)
	}
	if len(want) > 0 {
		t.Errorf("not received: %v", want)
	}
}

func TestBuildNotificationRejectsIncomplete(t *testing.T) {
	for _, n := range []notify.Notification{{Kind: notify.KindResult}, {Kind: notify.KindAlert}, {}} {
		if _, err := BuildNotification(n); err == nil {
			t.Errorf("%+v built", n)
		}
	}
}
