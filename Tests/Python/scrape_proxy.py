"""A recording reverse proxy in front of a real exporter (node_exporter, Prometheus),
for app_metrics' tests: every GET is forwarded to --upstream with the scraper's
headers, the upstream's answer is passed back unchanged (gzip included), and the
scrape is recorded as one JSON line: the request's headers, the status, the
Content-Type and the body as the exporter served it (gunzipped), with the time.

Prints "READY <port>" once serving. Stops on SIGTERM/SIGINT.
"""
import argparse
import gzip
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scripted_recorder import Recorder
from stoppable_server import serve_until_stopped, unblock_stop_signals

FORWARDED = ("Accept", "Accept-Encoding", "User-Agent", "X-Prometheus-Scrape-Timeout-Seconds")


def main():
    unblock_stop_signals()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--upstream", required=True, help="base URL, e.g. http://127.0.0.1:9100")
    arguments = parser.parse_args()
    recorder = Recorder(arguments.record, [])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            started = time.time()
            request = urllib.request.Request(arguments.upstream + self.path,
                                             headers={name: self.headers[name] for name in FORWARDED if name in self.headers})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, headers, raw = response.status, response.headers, response.read()
            except urllib.error.HTTPError as error:
                status, headers, raw = error.code, error.headers, error.read()
            encoding = headers.get("Content-Encoding", "")
            body = gzip.decompress(raw) if encoding == "gzip" else raw
            recorder.record({"path": self.path, "headers": dict(self.headers.items()), "status": status,
                             "content_type": headers.get("Content-Type", ""), "content_encoding": encoding,
                             "body": body.decode("utf-8", "replace"), "time": started})
            self.send_response(status)
            for name in ("Content-Type", "Content-Encoding"):
                if headers.get(name):
                    self.send_header(name, headers[name])
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    serve_until_stopped(server, arguments.port)


if __name__ == "__main__":
    main()
