"""Misbehaving /metrics endpoints for app_metrics' failure tests, one per path:

    /ok            a small valid text exposition
    /status-500    HTTP 500
    /slow          a valid body after --slow seconds (past the scrape timeout)
    /huge          a 100 MB text body, streamed (past body_size_limit)
    /gzip-bomb     a valid gzip body that inflates to 100 MB
    /many-samples  --samples gauge samples (past sample_limit)
    /garbage       not an exposition
    /invalid-utf8  a label value with bytes that are not UTF-8
    /duplicate     the same series twice
    /echo-headers  a valid body (the request's headers are recorded, as for every path)

With --tls-cert and --tls-key it serves HTTPS.

Every request is recorded as one JSON line ({"path", "headers", "time", "in_flight"}:
the requests being answered at once, this one included).
Prints "READY <port>" once serving. Stops on SIGTERM/SIGINT.
"""
import argparse
import gzip
import io
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scripted_recorder import Recorder
from stoppable_server import serve_until_stopped, unblock_stop_signals

TEXT = "text/plain; version=0.0.4; charset=utf-8"
VALID = b"# HELP ok_value A value.\n# TYPE ok_value gauge\nok_value 1\n"


def main():
    unblock_stop_signals()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--slow", type=float, default=5)
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    arguments = parser.parse_args()
    recorder = Recorder(arguments.record, [])
    in_flight = [0]
    in_flight_lock = threading.Lock()
    bomb_buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb_buffer, mode="wb") as bomb:
        line = b"bomb_value 1\n" + b"#" * 1011 + b"\n"
        for _ in range(100 * 1024):
            bomb.write(line)
    gzip_bomb = bomb_buffer.getvalue()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, body, status=200, content_type=TEXT, extra=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in extra:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?")[0]
            with in_flight_lock:
                in_flight[0] += 1
                now = in_flight[0]
            recorder.record({"path": path, "headers": dict(self.headers.items()), "time": time.time(), "in_flight": now})
            try:
                self.serve(path)
            finally:
                with in_flight_lock:
                    in_flight[0] -= 1

        def serve(self, path):
            try:
                if path in ("/ok", "/echo-headers"):
                    self.answer(VALID)
                elif path == "/status-500":
                    self.answer(b"internal error\n", status=500)
                elif path == "/slow":
                    time.sleep(arguments.slow)
                    self.answer(VALID)
                elif path == "/huge":
                    total = 100 * 1024 * 1024
                    line = b"huge_value 1\n" + b"#" * 1010 + b"\n"
                    self.send_response(200)
                    self.send_header("Content-Type", TEXT)
                    self.send_header("Content-Length", str(total))
                    self.end_headers()
                    sent = 0
                    while sent < total:
                        chunk = line[: total - sent]
                        self.wfile.write(chunk)
                        sent += len(chunk)
                elif path == "/gzip-bomb":
                    self.answer(gzip_bomb, extra=(("Content-Encoding", "gzip"),))
                elif path == "/many-samples":
                    lines = ["# TYPE many_value gauge"] + [f'many_value{{i="{i}"}} {i}' for i in range(arguments.samples)]
                    self.answer(("\n".join(lines) + "\n").encode())
                elif path == "/garbage":
                    self.answer(b"<html><body>this is not an exposition</body></html>\n")
                elif path == "/invalid-utf8":
                    self.answer(b'# TYPE bad_value gauge\nbad_value{name="\xff\xfe"} 1\n')
                elif path == "/duplicate":
                    self.answer(b'# TYPE dup_value gauge\ndup_value{a="1"} 1\ndup_value{a="1"} 2\n')
                else:
                    self.answer(b"not found\n", status=404)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    if arguments.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(arguments.tls_cert, arguments.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    serve_until_stopped(server, arguments.port)


if __name__ == "__main__":
    main()
