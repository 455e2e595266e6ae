package email_test

import (
	"fmt"

	"github.com/notifier-dev/notifier/internal/notify/email"
)

func ExampleParseSMTPURL() {
	cfg, err := email.ParseSMTPURL("smtp://apikey:s3cr%2Ft@smtp.example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Host, cfg.Port, cfg.Mode, cfg.Username)
	fmt.Println(cfg) // the password is never shown

	_, err = email.ParseSMTPURL("smtp://apikey:s3cr/t@smtp.example.com")
	fmt.Println(err)
	// Output:
	// smtp.example.com 587 starttls apikey
	// smtp://apikey:xxxxx@smtp.example.com:587
	// invalid SMTP URL: a /, ? or # in the username or password must be percent-encoded, as %2F, %3F or %23
}
