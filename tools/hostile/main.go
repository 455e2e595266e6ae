//go:build linux

// Command hostile measures the memory of a notifier listener under a flood
// of large, badly signed webhook bodies while its consumer is blocked. It is
// a measurement tool, not part of the shipped binary, and builds nothing
// itself: give it a notifier binary.
//
//	go build -o /tmp/notifier ./cmd/notifier
//	go run ./tools/hostile /tmp/notifier
//	go run ./tools/hostile -fill 2000 -n 150 -size 10485760 /tmp/notifier
//
// It starts `notifier listen --tunnel none --listen 127.0.0.1:PORT --path
// /hook/t --json` with REPLICATE_WEBHOOK_SECRET set and its stdout on a pipe
// that it does not read, so the listener's consumer blocks once the pipe is
// full. It first sends -fill small signed deliveries (filling the pipe, then
// part of the listener's queue), then -n concurrent POSTs of -size bytes
// with a bad signature. It prints the answers counted by status and the
// process's peak and current resident memory (VmHWM and VmRSS from
// /proc/PID/status), then interrupts the process (reading the pipe at last,
// so that it can drain and exit). Linux only.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/notifier-dev/notifier/internal/webhook"
)

const (
	secret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	badSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	hookPath  = "/hook/t"
)

func main() {
	fill := flag.Int("fill", 500, "small signed deliveries sent first; 500 fills the stdout pipe and leaves room in the listener's queue (1024), so rejections are queued")
	n := flag.Int("n", 150, "concurrent large POSTs with a bad signature")
	size := flag.Int("size", 10<<20, "bytes in each large body")
	rounds := flag.Int("rounds", 1, "times the -n large POSTs are sent, one round after the other")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: hostile [flags] path/to/notifier")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *fill, *n, *size, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}

func run(bin string, fill, n, size, rounds int) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	out, err := os.CreateTemp("", "hostile-stderr-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	p, err := start(bin, addr, out)
	if err != nil {
		return err
	}
	defer p.stop()
	if err := waitListening(addr); err != nil {
		return fmt.Errorf("%w (stderr in %s)", err, out.Name())
	}
	url := "http://" + addr + hookPath

	fmt.Printf("fill: %s\n", send(url, fill, 8, func(i int) ([]byte, string) {
		id := fmt.Sprintf("p_fill%d", i)
		return []byte(`{"id":"` + id + `","status":"succeeded","model":"zeke/chaos-monkey","output":"ok"}`), secret
	}))
	if queued, capacity, err := p.pipeFill(); err == nil {
		fmt.Printf("stdout pipe: %d of %d bytes unread\n", queued, capacity)
	}

	big := bytes.Repeat([]byte("x"), size)
	copy(big, `{"id":"p_big","status":"succeeded","output":"`)
	big[size-2], big[size-1] = '"', '}'
	for range rounds {
		fmt.Printf("attack: %s\n", send(url, n, n, func(int) ([]byte, string) { return big, badSecret }))
	}

	hwm, rss, err := memory(p.cmd.Process.Pid)
	if err != nil {
		return err
	}
	fmt.Printf("peak RSS (VmHWM) %.1f MiB, current RSS (VmRSS) %.1f MiB\n", float64(hwm)/1024, float64(rss)/1024)
	return nil
}

// proc is the notifier process and the read end of its stdout pipe.
type proc struct {
	cmd    *exec.Cmd
	stdout *os.File
}

func start(bin, addr string, stderr *os.File) (*proc, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "listen", "--tunnel", "none", "--listen", addr, "--path", hookPath, "--json")
	cmd.Env = append(os.Environ(), "REPLICATE_WEBHOOK_SECRET="+secret)
	cmd.Stdout, cmd.Stderr = w, stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w.Close() // the child holds its own copy
	return &proc{cmd: cmd, stdout: r}, nil
}

// stop interrupts the process, reads its stdout at last so that it can
// drain its queue, and waits for it (killing it after 30 s).
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	go func() { _, _ = io.Copy(io.Discard, p.stdout) }()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		fmt.Printf("notifier exited: %v\n", err)
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		fmt.Printf("notifier killed after 30 s: %v\n", <-done)
	}
}

// pipeFill returns how many bytes wait unread in the stdout pipe, and its
// capacity (ioctl FIONREAD, fcntl F_GETPIPE_SZ).
func (p *proc) pipeFill() (queued, capacity int, err error) {
	fd := p.stdout.Fd()
	var q int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&q))); e != 0 {
		return 0, 0, e
	}
	c, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETPIPE_SZ, 0)
	if e != 0 {
		return 0, 0, e
	}
	return int(q), int(c), nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitListening polls until addr accepts connections, for at most 10 s.
func waitListening(addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("notifier not listening on %s: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send posts total requests, at most conc at once, body and signing secret
// from mk, and returns the answers counted by status or error.
func send(url string, total, conc int, mk func(i int) ([]byte, string)) string {
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	counts := map[string]int{}
	next := make(chan int)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := range next {
				body, sec := mk(i)
				k := post(client, url, fmt.Sprintf("msg_%d_%d", time.Now().UnixNano(), i), body, sec)
				mu.Lock()
				counts[k]++
				mu.Unlock()
			}
		})
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "[%s: %d] ", k, counts[k])
	}
	return strings.TrimSpace(b.String())
}

// post sends one signed delivery and returns "STATUS reason" or the error.
func post(client *http.Client, url, id string, body []byte, secretStr string) string {
	sec, err := webhook.ParseSecret(secretStr)
	if err != nil {
		return err.Error()
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	sec.SignHeaders(req.Header, id, time.Now(), body)
	resp, err := client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			return "error: " + op.Err.Error()
		}
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	return strconv.Itoa(resp.StatusCode) + " " + strings.TrimSpace(string(msg))
}

// memory returns VmHWM and VmRSS of pid, in KiB.
func memory(pid int) (hwm, rss int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmHWM:":
			hwm, _ = strconv.Atoi(f[1])
		case "VmRSS:":
			rss, _ = strconv.Atoi(f[1])
		}
	}
	return hwm, rss, nil
}
