"""The demo's OTLP/gRPC receiver (scripts/demo): it stands where an OpenTelemetry
Collector would, decodes what Telegen pushes with the official opentelemetry-proto stubs
on grpcio, and prints it compactly instead of storing it:

  per metrics export request, a line with its totals, then one line per instrumentation
  scope (telegen.kubestate, telegen.cadvisor, telegen.node, telegen.self) with its count of
  metric families and data points and what the families are about (`kube_pod_* 40`: 40
  families named kube_pod_...);
  per log record (a Kubernetes event), one line numbered by its export request: the event's
  time, severity, reason (with the occurrence's count from the second on), involved object
  and message.
The resource's attributes (the agent's, on both signals) are printed when first seen.

Options: --port (0: the kernel picks), --host, --ready-file FILE (gets "READY <port>" once
serving, so the demo knows the port without reading this program's output),
--copy-to FILE (every printed line is appended there too: `scripts/demo --check` reads it).
"""
import argparse
import collections
import os
import signal
import sys
import threading
import time
from concurrent import futures

# grpcio's own log of a failed bind would repeat, less clearly, what main() says.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

import grpc  # noqa: E402 (after GRPC_VERBOSITY, which grpcio reads when imported)
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc

# So that a scope's line, its outline included, fits a wide terminal.
NAMES_WIDTH = 70


class Printer:
    """Writes whole blocks, one request at a time: grpcio answers calls on several threads."""

    def __init__(self, copy_to):
        self.lock = threading.Lock()
        self.copy = open(copy_to, "a") if copy_to else None
        self.resources = set()

    def block(self, lines):
        text = "".join(line + "\n" for line in lines)
        with self.lock:
            sys.stdout.write(text)
            sys.stdout.flush()
            if self.copy:
                self.copy.write(text)
                self.copy.flush()

    def resource_once(self, resource):
        """The resource's attributes, printed when first seen: both signals carry the agent's."""
        text = " ".join(f"{attribute.key}={value(attribute.value)}" for attribute in resource.attributes)
        with self.lock:
            if text in self.resources:
                return []
            self.resources.add(text)
        return [f"{clock()}  OTLP resource: {text}"]


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind is None:
        return ""
    if kind in ("array_value", "kvlist_value"):
        return "[...]"
    if kind == "bytes_value":
        return any_value.bytes_value.hex()
    return str(getattr(any_value, kind))


def clock(unix_nano=None):
    seconds = unix_nano / 1e9 if unix_nano else time.time()
    return time.strftime("%H:%M:%S", time.localtime(seconds))


def kib(size):
    return f"{size / 1024:,.0f} KiB" if size >= 10240 else f"{size:,} B"


def points(metric):
    kind = metric.WhichOneof("data")
    return len(getattr(metric, kind).data_points) if kind else 0


def outline(names):
    """What the families are about, by their first two name parts, largest groups first:
    `kube_pod_* 43, kube_node_* 17, ...`."""
    groups = collections.Counter("_".join(name.split("_")[:2]) for name in names)
    text = ""
    for prefix, count in sorted(groups.items(), key=lambda item: (-item[1], item[0])):
        addition = (", " if text else "") + (f"{prefix}_* {count}" if count > 1 or prefix not in names else prefix)
        if len(text) + len(addition) > NAMES_WIDTH:
            return text + ", ..."
        text += addition
    return text


class Numbered:
    """Export calls numbered in arrival order (gRPC serves them on a thread pool)."""

    def __init__(self, printer):
        self.printer = printer
        self.calls = 0
        self.lock = threading.Lock()

    def next_call(self):
        with self.lock:
            self.calls += 1
            return self.calls


class Metrics(Numbered, metrics_service_pb2_grpc.MetricsServiceServicer):
    def Export(self, request, context):
        call = self.next_call()
        scopes = {}
        for resource_metrics in request.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                entry = scopes.setdefault(scope_metrics.scope.name or "(no scope)", [[], 0])
                for metric in scope_metrics.metrics:
                    if metric.name not in entry[0]:
                        entry[0].append(metric.name)
                    entry[1] += points(metric)
        families = sum(len(names) for names, _ in scopes.values())
        total = sum(count for _, count in scopes.values())
        lines = self.printer.resource_once(request.resource_metrics[0].resource) if request.resource_metrics else []
        lines += [f"{clock()}  OTLP metrics #{call}: {len(scopes)} scope{'s' if len(scopes) != 1 else ''}, "
                 f"{families:,} families, {total:,} points, {kib(request.ByteSize())}"]
        for scope, (names, count) in scopes.items():
            lines.append(f"          {scope:<18} {len(names):>4} families {count:>7,} points  {outline(names)}")
        self.printer.block(lines)
        return metrics_service_pb2.ExportMetricsServiceResponse()


class Logs(Numbered, logs_service_pb2_grpc.LogsServiceServicer):
    def Export(self, request, context):
        call = self.next_call()
        lines = self.printer.resource_once(request.resource_logs[0].resource) if request.resource_logs else []
        # One line per record, numbered by the export request that brought it: events
        # come a few at a time, and a header per request would double the lines.
        for resource_logs in request.resource_logs:
            for scope_logs in resource_logs.scope_logs:
                for record in scope_logs.log_records:
                    lines.append(event_line(call, scope_logs.scope.name, record))
        self.printer.block(lines)
        return logs_service_pb2.ExportLogsServiceResponse()


def event_line(call, scope, record):
    """One Kubernetes event occurrence, as the k8s_events receiver's attributes carry it."""
    attributes = {attribute.key: value(attribute.value) for attribute in record.attributes}
    count = attributes.get("k8s.event.count", "")
    namespace = attributes.get("k8s.object.namespace") or attributes.get("k8s.namespace.name", "")
    kind, name = attributes.get("k8s.object.kind", "?"), attributes.get("k8s.object.name", "?")
    target = f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"
    reason = attributes.get("k8s.event.reason", "")
    if count not in ("", "1"):
        reason += f" x{count}"
    severity = record.severity_text or str(record.severity_number)
    message = value(record.body).replace("\n", " ")
    if scope != "telegen.events":
        return f"{clock()}  OTLP log #{call} ({scope}) {severity}: {message}"
    return (f"{clock(record.time_unix_nano or record.observed_time_unix_nano)}  OTLP log #{call:<5} "
            f"{severity:<7} {reason:<18} {target}: {message}")


def main():
    # Started from a process that blocks signals (Swift's Process, in the demo's test),
    # SIGTERM would otherwise never reach this receiver.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file")
    parser.add_argument("--copy-to")
    arguments = parser.parse_args()

    printer = Printer(arguments.copy_to)
    # so_reuseport off: grpcio sets it by default, and would then share a port that a
    # running Collector holds instead of failing to bind it.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                         options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 64 << 20)])
    metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(printer), server)
    logs_service_pb2_grpc.add_LogsServiceServicer_to_server(Logs(printer), server)
    try:
        port = server.add_insecure_port(f"{arguments.host}:{arguments.port}")
    except RuntimeError:
        port = 0
    if not port:
        sys.exit(f"demo receiver: cannot listen on {arguments.host}:{arguments.port} (in use?)")
    server.start()
    if arguments.ready_file:
        with open(arguments.ready_file + ".tmp", "w") as handle:
            handle.write(f"READY {port}\n")
        os.rename(arguments.ready_file + ".tmp", arguments.ready_file)

    stop = threading.Event()
    # SIGTERM only: the demo starts this in the background, where SIGINT is ignored, so
    # that Ctrl-C reaches the demo alone and its trap stops Telegen (whose last push
    # comes here) before this receiver.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    parent = os.getppid()
    try:
        # The demo's trap stops this receiver; if the demo itself is killed, stop anyway.
        while not stop.wait(0.5):
            if os.getppid() != parent:
                break
    except KeyboardInterrupt:
        pass
    server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
