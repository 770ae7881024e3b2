package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/amparo-project/amparo"
)

// metrics is the registry of a serving process: the web server's request
// latencies by route and what verifiers fetched, the database pool, the
// job queue, and the Go runtime. No label holds personal data.
func (m *Main) metrics() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(m.DB.Pool(), "amparo"), queueCollector{m})
	return reg
}

// queueCollector reads the job queue when metrics are scraped.
type queueCollector struct{ m *Main }

var (
	jobsDesc   = prometheus.NewDesc("amparo_jobs", "Jobs in the queue, by state.", []string{"state"}, nil)
	jobAgeDesc = prometheus.NewDesc("amparo_job_oldest_due_seconds", "How long the oldest due job has waited to be claimed.", nil, nil)
)

func (queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc; ch <- jobAgeDesc }

func (q queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(system(context.Background()), 5*time.Second)
	defer cancel()
	counts, oldest, err := q.m.DB.JobQueue(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for _, s := range []amparo.JobState{amparo.JobPending, amparo.JobRunning, amparo.JobDone, amparo.JobFailed} {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(jobAgeDesc, prometheus.GaugeValue, oldest.Seconds())
}

// serveMetrics serves /metrics on its own address, apart from the public
// one, for the monitoring system alone, until ctx ends.
func (m *Main) serveMetrics(ctx context.Context, addr string, reg *prometheus.Registry) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	m.Logger.Info("serving metrics", "addr", ln.Addr().String())
	go srv.Serve(ln)
	return nil
}
