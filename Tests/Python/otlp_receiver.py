"""An OTLP/gRPC receiver for Telegen's tests, built on the official
opentelemetry-proto stubs and grpcio: it decodes what Telegen sends with Google's
protobuf runtime and speaks gRPC's own HTTP/2.

Every request received is appended to --record as one JSON line:
    {"signal": "metrics"|"logs", "call": N, "request": <MessageToDict>, "metadata": {...},
     "time": <when it arrived, Unix seconds>}

--script names a JSON file with one entry per call, in order; calls beyond the list
succeed. An entry is one of:
    "ok"
    {"status": "UNAVAILABLE", "message": "..."}                      any gRPC code name
    {"status": "RESOURCE_EXHAUSTED", "retry_delay": 1.5}              with google.rpc.RetryInfo
    {"partial": 7, "message": "..."}                                  partial success
    {"sleep": 2.0}                                                    answer OK after a delay
A failed call is recorded too, with "answered": the status it got.

--summary records only counts per request ({"signal", "call", "points" or "records",
"bytes", "time"}) instead of the whole message: for benchmarks that push millions of points.

Prints "READY <port>" once serving.
"""
import argparse
import json
import signal
import sys
import time
from concurrent import futures

import grpc
from google.protobuf import duration_pb2
from google.protobuf.json_format import MessageToDict
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from scripted_recorder import Recorder




def count(request):
    """Data points (metrics) or log records in an export request."""
    total = 0
    if hasattr(request, "resource_metrics"):
        for resource in request.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    kind = metric.WhichOneof("data")
                    total += len(getattr(metric, kind).data_points) if kind else 0
    else:
        for resource in request.resource_logs:
            for scope in resource.scope_logs:
                total += len(scope.log_records)
    return total


def answer(recorder, signal, request, context, response_type, partial_type, rejected_field):
    call, behaviour = recorder.next_behaviour()
    if recorder.summary:
        recorder.record({"signal": signal, "call": call, "points": count(request), "bytes": request.ByteSize(),
                         "time": time.time()})
        return response_type()
    entry = {
        "signal": signal,
        "call": call,
        "request": MessageToDict(request, preserving_proto_field_name=True),
        "metadata": {key: value for key, value in context.invocation_metadata() if not key.endswith("-bin")},
        "answered": "OK",
        "time": time.time(),
    }
    if isinstance(behaviour, dict) and "sleep" in behaviour:
        time.sleep(behaviour["sleep"])
        behaviour = "ok"
    if isinstance(behaviour, dict) and "status" in behaviour:
        code = behaviour["status"]
        entry["answered"] = code
        recorder.record(entry)
        message = behaviour.get("message", f"test receiver says {code}")
        if "retry_delay" in behaviour:
            delay = duration_pb2.Duration()
            delay.FromNanoseconds(int(behaviour["retry_delay"] * 1e9))
            detail = error_details_pb2.RetryInfo(retry_delay=delay)
            status = status_pb2.Status(code=getattr(code_pb2, code), message=message)
            status.details.add().Pack(detail)
            context.abort_with_status(rpc_status.to_status(status))
        context.abort(getattr(grpc.StatusCode, code), message)
    recorder.record(entry)
    response = response_type()
    if isinstance(behaviour, dict) and "partial" in behaviour:
        partial = partial_type(error_message=behaviour.get("message", ""))
        setattr(partial, rejected_field, behaviour["partial"])
        response.partial_success.CopyFrom(partial)
    return response


class Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, recorder):
        self.recorder = recorder

    def Export(self, request, context):
        return answer(self.recorder, "metrics", request, context, metrics_service_pb2.ExportMetricsServiceResponse,
                      metrics_service_pb2.ExportMetricsPartialSuccess, "rejected_data_points")


class Logs(logs_service_pb2_grpc.LogsServiceServicer):
    def __init__(self, recorder):
        self.recorder = recorder

    def Export(self, request, context):
        return answer(self.recorder, "logs", request, context, logs_service_pb2.ExportLogsServiceResponse,
                      logs_service_pb2.ExportLogsPartialSuccess, "rejected_log_records")


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
    parser.add_argument("--max-receive-bytes", type=int, default=4 * 1024 * 1024)
    parser.add_argument("--summary", action="store_true", help="record counts per request, not the messages")
    arguments = parser.parse_args()

    script = json.load(open(arguments.script)) if arguments.script else []
    recorder = Recorder(arguments.record, script, arguments.summary)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_receive_message_length", arguments.max_receive_bytes)])
    metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(recorder), server)
    logs_service_pb2_grpc.add_LogsServiceServicer_to_server(Logs(recorder), server)
    address = f"{arguments.host}:{arguments.port}"
    if arguments.tls_cert:
        key = open(arguments.tls_key, "rb").read()
        cert = open(arguments.tls_cert, "rb").read()
        client_ca = open(arguments.client_ca, "rb").read() if arguments.client_ca else None
        credentials = grpc.ssl_server_credentials([(key, cert)], root_certificates=client_ca,
                                                  require_client_auth=client_ca is not None)
        port = server.add_secure_port(address, credentials)
    else:
        port = server.add_insecure_port(address)
    server.start()
    print(f"READY {port}", flush=True)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
