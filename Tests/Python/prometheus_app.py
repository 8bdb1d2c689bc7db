"""An instrumented application for app_metrics' tests, on the official Python client
(prometheus_client): a counter, a gauge, a histogram, a client-library summary
(count and sum) and a summary with quantiles (a custom collector), with fixed values
so that a test knows what it exposes. It serves /metrics in the format the scraper's
Accept asks for (--format negotiate, the library's own choice) or always in one
(--format text|openmetrics), gzipped when Accept-Encoding allows, and records every
scrape as one JSON line: the request's headers, the Content-Type served and the body
(before gzip), with the time it was served.

Prints "READY <port>" once serving. Stops on SIGTERM/SIGINT.
"""
import argparse
import gzip
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics import exposition as openmetrics
from scripted_recorder import Recorder
from stoppable_server import serve_until_stopped, unblock_stop_signals


class QuantileSummary:
    """A summary with quantiles, as Go and Java clients expose them."""

    def collect(self):
        metric = Metric("app_rpc_duration_seconds", "RPC latency with quantiles.", "summary")
        for service, base in (("auth", 0.01), ("billing", 0.2)):
            for quantile, factor in (("0.5", 1), ("0.9", 2), ("0.99", 4.5)):
                metric.add_sample("app_rpc_duration_seconds", {"service": service, "quantile": quantile}, base * factor)
            metric.add_sample("app_rpc_duration_seconds_count", {"service": service}, 1000)
            metric.add_sample("app_rpc_duration_seconds_sum", {"service": service}, base * 1234.5)
        yield metric


def build_registry():
    registry = CollectorRegistry()
    requests = Counter("app_requests", "Requests handled.", ["method", "code"], registry=registry)
    requests.labels("GET", "200").inc(42)
    requests.labels("POST", "500").inc(3.5)
    temperature = Gauge("app_temperature_celsius", "Current temperature.", registry=registry)
    temperature.set(-12.25)
    latency = Histogram("app_latency_seconds", "Request latency.", ["route"], buckets=(0.1, 0.5, 1.0, 2.5), registry=registry)
    for value in (0.05, 0.07, 0.3, 0.8, 0.9, 2.0, 7.0):
        latency.labels("/api").observe(value)
    latency.labels("/health").observe(0.01)
    payload = Summary("app_payload_bytes", "Payload sizes.", registry=registry)
    for value in (100, 250, 4000):
        payload.observe(value)
    registry.register(QuantileSummary())
    return registry


def main():
    unblock_stop_signals()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--format", choices=("negotiate", "text", "openmetrics"), default="negotiate")
    arguments = parser.parse_args()
    recorder = Recorder(arguments.record, [])
    registry = build_registry()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            accept = self.headers.get("Accept", "")
            wants_openmetrics = (arguments.format == "openmetrics"
                                 or (arguments.format == "negotiate" and "application/openmetrics-text" in accept))
            if wants_openmetrics:
                body, content_type = openmetrics.generate_latest(registry), openmetrics.CONTENT_TYPE_LATEST
            else:
                body, content_type = generate_latest(registry), "text/plain; version=0.0.4; charset=utf-8"
            recorder.record({"path": self.path, "headers": dict(self.headers.items()), "content_type": content_type,
                             "body": body.decode(), "time": time.time()})
            encoded = body
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                encoded = gzip.compress(body)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    serve_until_stopped(server, arguments.port)


if __name__ == "__main__":
    main()
