package main_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A serving process runs the hourly jobs through the queue, and the
// operator sees them with amparo jobs list.
func TestJobs_ServeRunsPeriodicJobs(t *testing.T) {
	data := t.TempDir()
	env := []string{"AMPARO_DATA=" + data}
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	urlc, metricsc := make(chan string, 1), make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if m := regexp.MustCompile(`serving metrics" addr=(\S+)`).FindStringSubmatch(s.Text()); m != nil {
				metricsc <- "http://" + m[1] + "/metrics"
			}
			if u := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(s.Text()); u != "" {
				select {
				case urlc <- u:
				default:
				}
			}
		}
	}()
	var base string
	select {
	case base = <-urlc:
		if !waitHealthy(base + "healthz") {
			t.Fatal("the server never answered")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve printed no address")
	}
	type job struct {
		ID, Kind, State string
	}
	var jobs []job
	for try := 0; try < 100; try++ {
		out, errOut, code := amparo(t, env, "jobs", "list", "--json")
		if code != 0 {
			t.Fatalf("jobs list: %d %s", code, errOut)
		}
		jobs = nil
		if err := json.Unmarshal([]byte(out), &jobs); err != nil {
			t.Fatalf("jobs list --json: %v\n%s", err, out)
		}
		done := map[string]bool{}
		for _, j := range jobs {
			if j.State == "done" {
				done[j.Kind] = true
			}
		}
		if done["status_lists.refresh"] && done["letters.expire"] && done["limits.prune"] && done["workshops.forget"] && done["messages.purge"] && done["workshops.remind"] {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(jobs) != 6 {
		t.Fatalf("jobs after start: %+v, want the four hourly jobs, the workshop reminders and the daily purge of message bodies, done", jobs)
	}
	for _, j := range jobs {
		if j.State != "done" {
			t.Errorf("%s is %s, want done", j.Kind, j.State)
		}
	}
	// Ready, and measured: the metrics name routes, never paths.
	if res, body := fetch(t, base+"readyz"); res != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", res, body)
	}
	fetch(t, base+"p/AAAAAAAAAAAAAAAAAAAAAA")
	var metrics string
	select {
	case u := <-metricsc:
		_, metrics = fetch(t, u)
	case <-time.After(10 * time.Second):
		t.Fatal("serve printed no metrics address")
	}
	for _, want := range []string{`amparo_http_request_duration_seconds_count{code="200",method="GET",route="GET /readyz"} 1`,
		`route="GET /p/{token}"`, `amparo_jobs{state="done"} 6`, `go_sql_open_connections{db_name="amparo"}`, "go_goroutines",
		`amparo_letters_issued_total{how="issue"} 0`, `amparo_verifications_served_total{what="bundle"} 0`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, "AAAAAAAAAAAAAAAAAAAAAA") {
		t.Error("/metrics holds a path's token")
	}
	// Only on its own address: the public one does not serve them.
	if code, body := fetch(t, base+"metrics"); code != http.StatusNotFound || strings.Contains(body, "amparo_jobs") {
		t.Errorf("the public address serves /metrics: %d", code)
	}
	out, _, code := amparo(t, env, "jobs", "list")
	if code != 0 || !strings.Contains(out, "letters.expire") || !strings.Contains(out, "6 jobs.") {
		t.Errorf("jobs list: %d\n%s", code, out)
	}
	_, errOut, code := amparo(t, env, "jobs", "retry", jobs[0].ID)
	if code == 0 || !strings.Contains(errOut, "only a failed job") {
		t.Errorf("retry of a done job: %d %s", code, errOut)
	}
	_, errOut, code = amparo(t, env, "jobs", "list", "--state", "stuck")
	if code == 0 || !strings.Contains(errOut, "pending, running, done or failed") {
		t.Errorf("jobs list --state stuck: %d %s", code, errOut)
	}
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// A job lease that is not a duration stops serve before anything is
// made, with one line saying how to fix it.
func TestServe_BadJobLease(t *testing.T) {
	for _, lease := range []string{"soon", "10ms"} {
		data := t.TempDir() + "/data"
		_, errOut, code := amparo(t, []string{"AMPARO_JOB_LEASE=" + lease}, "serve", "--data", data, "--addr", "127.0.0.1:0")
		if code == 0 || !strings.Contains(errOut, `AMPARO_JOB_LEASE="`+lease+`" is not a duration of a second or more`) ||
			strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("AMPARO_JOB_LEASE=%s: exit %d, said %q", lease, code, errOut)
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("AMPARO_JOB_LEASE=%s: serve made the data folder", lease)
		}
	}
}
