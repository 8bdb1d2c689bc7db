"""Reads a serialized HistogramDataPoint from stdin with Google's protobuf runtime
and prints which optional fields are present, and their values."""
import sys

from opentelemetry.proto.metrics.v1 import metrics_pb2

point = metrics_pb2.HistogramDataPoint()
point.ParseFromString(sys.stdin.buffer.read())
for name in ("sum", "min", "max"):
    print(f"{name}={getattr(point, name) if point.HasField(name) else 'absent'}")
print(f"count={point.count}")
