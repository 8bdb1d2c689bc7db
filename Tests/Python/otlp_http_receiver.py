"""An OTLP/HTTP receiver for Telegen's tests, built on the official opentelemetry-proto
stubs and the standard library's http.server (HTTP/1.1, optionally over TLS with the ssl
module): it decodes what Telegen sends with Google's protobuf runtime, as a Collector's
otlphttp receiver would, and answers as the OTLP/HTTP specification describes.

Every request received is appended to --record as one JSON line:
    {"signal": "metrics"|"logs"|null, "call": N, "path": "/v1/metrics", "method": "POST",
     "headers": {lowercase name: value}, "content_encoding": "gzip"|null,
     "wire_bytes": N (the body as sent), "body_bytes": N (after gzip),
     "request": <MessageToDict> or null, "answered": HTTP status, "tls_client": CN or null}

A request is an export of the signal its path ends with (/v1/metrics, /v1/logs); any other
path gets 404 and is recorded with "signal": null. A body that is not
application/x-protobuf gets 415, one that does not decode gets 400: both are recorded too.

--script names a JSON file with one entry per export, in order; exports beyond the list
succeed. An entry is one of:
    "ok"
    {"status": 503, "retry_after": "1"}                   any status; Retry-After as given
    {"status": 400, "message": "..."}                     with a google.rpc.Status body
                                                          (application/x-protobuf)
    {"status": 500, "text": "..."}                        with a text/plain body
    {"partial": 7, "message": "..."}                      200 with a partial success
    {"sleep": 2.0}                                        answer 200 after a delay
    {"gzip_response": true}                               200, the response gzipped

Prints "READY <port>" once serving.
"""
import argparse
import gzip
import json
import signal
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import DecodeError
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from scripted_recorder import Recorder

SIGNALS = {
    "metrics": (metrics_service_pb2.ExportMetricsServiceRequest, metrics_service_pb2.ExportMetricsServiceResponse,
                metrics_service_pb2.ExportMetricsPartialSuccess, "rejected_data_points"),
    "logs": (logs_service_pb2.ExportLogsServiceRequest, logs_service_pb2.ExportLogsServiceResponse,
             logs_service_pb2.ExportLogsPartialSuccess, "rejected_log_records"),
}

# google.rpc.Code for the HTTP status of an error body, as the Collector maps them.
RPC_CODES = {400: code_pb2.INVALID_ARGUMENT, 401: code_pb2.UNAUTHENTICATED, 403: code_pb2.PERMISSION_DENIED,
             404: code_pb2.NOT_FOUND, 429: code_pb2.RESOURCE_EXHAUSTED, 500: code_pb2.INTERNAL,
             502: code_pb2.UNAVAILABLE, 503: code_pb2.UNAVAILABLE, 504: code_pb2.DEADLINE_EXCEEDED}




class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1: connections stay open between requests, as a Collector's do.
    protocol_version = "HTTP/1.1"
    recorder = None

    def log_message(self, *arguments):
        pass

    def read_body(self):
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("content-length", "0")))

    def reply(self, status, body=b"", content_type="application/x-protobuf", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        wire = self.read_body()
        path = self.path.split("?")[0]
        signal_name = next((name for name in SIGNALS if path.endswith("/v1/" + name)), None)
        entry = {
            "signal": signal_name, "call": None, "path": self.path, "method": "POST",
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "content_encoding": self.headers.get("content-encoding"), "wire_bytes": len(wire), "body_bytes": None,
            "request": None, "answered": 200, "tls_client": self.tls_client(),
        }
        if signal_name is None:
            return self.finish_with(entry, 404, self.rpc_status(404, f"no OTLP signal at {path}"))
        request_type, response_type, partial_type, rejected_field = SIGNALS[signal_name]
        if self.headers.get("content-type", "").split(";")[0].strip() != "application/x-protobuf":
            return self.finish_with(entry, 415, self.rpc_status(400, "content-type must be application/x-protobuf"))
        try:
            body = gzip.decompress(wire) if (entry["content_encoding"] or "").lower() == "gzip" else wire
            request = request_type.FromString(body)
        except (OSError, EOFError, DecodeError) as error:
            return self.finish_with(entry, 400, self.rpc_status(400, f"undecodable body: {error}"))
        entry["body_bytes"] = len(body)
        entry["request"] = MessageToDict(request, preserving_proto_field_name=True)
        call, behaviour = self.recorder.next_behaviour()
        entry["call"] = call
        if isinstance(behaviour, dict) and "sleep" in behaviour:
            time.sleep(behaviour["sleep"])
            behaviour = "ok"
        if isinstance(behaviour, dict) and "status" in behaviour:
            status = behaviour["status"]
            extra = [("Retry-After", str(behaviour["retry_after"]))] if "retry_after" in behaviour else []
            if "text" in behaviour:
                return self.finish_with(entry, status, behaviour["text"].encode(), "text/plain; charset=utf-8", extra)
            message = behaviour.get("message", f"test receiver says {status}")
            return self.finish_with(entry, status, self.rpc_status(status, message), extra=extra)
        response = response_type()
        if isinstance(behaviour, dict) and "partial" in behaviour:
            partial = partial_type(error_message=behaviour.get("message", ""))
            setattr(partial, rejected_field, behaviour["partial"])
            response.partial_success.CopyFrom(partial)
        payload = response.SerializeToString()
        extra = []
        if isinstance(behaviour, dict) and behaviour.get("gzip_response"):
            payload = gzip.compress(payload)
            extra = [("Content-Encoding", "gzip")]
        self.finish_with(entry, 200, payload, extra=extra)

    def rpc_status(self, status, message):
        return status_pb2.Status(code=RPC_CODES.get(status, code_pb2.UNKNOWN), message=message).SerializeToString()

    def finish_with(self, entry, status, body, content_type="application/x-protobuf", extra=()):
        entry["answered"] = status
        # Recorded before answering: once the client has its answer, the test may look.
        self.recorder.record(entry)
        self.reply(status, body, content_type, extra)

    def tls_client(self):
        if not isinstance(self.connection, ssl.SSLSocket):
            return None
        certificate = self.connection.getpeercert()
        if not certificate:
            return None
        for field in certificate.get("subject", ()):
            for key, value in field:
                if key == "commonName":
                    return value
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    tls = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs on the connection's own thread, so a client that fails
        # it (a wrong CA, no client certificate) costs that connection only.
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                request.close()
                return
        super().finish_request(request, client_address)


def main():
    # Swift Foundation's Process starts children with every signal blocked; without
    # this, SIGTERM from the test would never stop the receiver.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--record", required=True)
    parser.add_argument("--script")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--client-ca", help="require client certificates signed by this CA (mTLS)")
    arguments = parser.parse_args()

    script = json.load(open(arguments.script)) if arguments.script else []
    Handler.recorder = Recorder(arguments.record, script)
    Server.address_family = socket.AF_INET6 if ":" in arguments.host else socket.AF_INET
    server = Server((arguments.host, arguments.port), Handler)
    if arguments.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(arguments.tls_cert, arguments.tls_key)
        context.set_alpn_protocols(["http/1.1"])
        if arguments.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(arguments.client_ca)
        server.tls = context
    print(f"READY {server.server_address[1]}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
