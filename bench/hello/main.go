// Command hello is the baseline of notifier's start-up in bench/run.sh: a
// Go program that prints one line and exits.
package main

import "fmt"

func main() { fmt.Println("hello, world") }
