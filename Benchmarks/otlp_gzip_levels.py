"""gzip levels on an OTLP metrics request shaped like kube-state's pod families.

Builds one ExportMetricsServiceRequest with the official protobuf stubs (100 000 gauge
points: ten pod families over 2 500 pods, six string attributes each: namespace, pod,
uid, node, container, phase) and compresses it with zlib at levels 1 and 6 (gzip
wrapper, as `grpc-encoding: gzip` sends it), printing each level's size, ratio and the
best of three CPU times.

Usage: .venv/bin/python3 Benchmarks/otlp_gzip_levels.py
"""
import random
import time
import uuid
import zlib

from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.common.v1 import common_pb2


def request():
    rng = random.Random(1)
    request = metrics_service_pb2.ExportMetricsServiceRequest()
    scope = request.resource_metrics.add().scope_metrics.add()
    scope.scope.name = "telegen"
    pods = [(f"ns-{i % 50}", f"app-{i % 300}-{uuid.UUID(int=rng.getrandbits(128)).hex[:10]}-{i:05d}",
             str(uuid.UUID(int=rng.getrandbits(128))), f"node-{i % 100}") for i in range(2500)]
    families = ["kube_pod_info", "kube_pod_status_phase", "kube_pod_container_info", "kube_pod_created",
                "kube_pod_owner", "kube_pod_status_ready", "kube_pod_container_resource_requests",
                "kube_pod_labels", "kube_pod_start_time", "kube_pod_container_status_running"]
    for name in families:
        metric = scope.metrics.add()
        metric.name = name
        for namespace, pod, uid, node in pods:
            for index, phase in enumerate(["Running", "Pending", "Failed", "Succeeded"]):
                point = metric.gauge.data_points.add()
                for key, value in (("namespace", namespace), ("pod", pod), ("uid", uid), ("node", node),
                                   ("container", f"c{index}"), ("phase", phase)):
                    point.attributes.add(key=key, value=common_pb2.AnyValue(string_value=value))
                point.time_unix_nano = 1795303313000000000
                point.as_double = float(index == 0)
    return request.SerializeToString()


def main():
    raw = request()
    print(f"request: {len(raw)} bytes, 100000 points")
    for level in (1, 6):
        best = None
        for _ in range(3):
            start = time.process_time()
            compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
            out = compressor.compress(raw) + compressor.flush()
            spent = time.process_time() - start
            best = spent if best is None else min(best, spent)
        print(f"level {level}: {len(out)} bytes, {len(raw) / len(out):.1f}x, {best * 1000:.0f} ms CPU "
              f"({len(raw) / best / 1e6:.0f} MB/s)")


if __name__ == "__main__":
    main()
