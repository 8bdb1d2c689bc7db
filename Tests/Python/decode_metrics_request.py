"""Reads serialized ExportMetricsServiceRequests from stdin with Google's protobuf
runtime and prints them as JSON: one list entry per request. Each request is preceded
by its length as 8 little-endian bytes.

Doubles are printed with repr() as strings ("0.1", "nan", "inf") so NaN and
infinities survive JSON; 64-bit integers as numbers. A histogram point's sum is null
when the optional field is absent.
"""
import json
import struct
import sys

from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2


def number(value):
    return repr(float(value))


def attributes(items):
    return {item.key: item.value.string_value for item in items}


def point(kind, data):
    out = {
        "attributes": attributes(data.attributes),
        "start": data.start_time_unix_nano,
        "time": data.time_unix_nano,
    }
    if kind in ("gauge", "sum"):
        out["value"] = number(data.as_double)
    elif kind == "histogram":
        out["count"] = data.count
        out["sum"] = number(data.sum) if data.HasField("sum") else None
        out["bounds"] = [number(b) for b in data.explicit_bounds]
        out["bucket_counts"] = list(data.bucket_counts)
    elif kind == "summary":
        out["count"] = data.count
        out["sum"] = number(data.sum)
        out["quantiles"] = [[number(q.quantile), number(q.value)] for q in data.quantile_values]
    return out


def request_json(request):
    resources = []
    for resource in request.resource_metrics:
        scopes = []
        for scope in resource.scope_metrics:
            metrics = []
            for metric in scope.metrics:
                kind = metric.WhichOneof("data")
                data = getattr(metric, kind)
                entry = {
                    "name": metric.name,
                    "description": metric.description,
                    "unit": metric.unit,
                    "kind": kind,
                    "metadata": attributes(metric.metadata),
                    "points": [point(kind, p) for p in data.data_points],
                }
                if kind in ("sum", "histogram"):
                    entry["temporality"] = data.aggregation_temporality
                if kind == "sum":
                    entry["monotonic"] = data.is_monotonic
                metrics.append(entry)
            scopes.append({"name": scope.scope.name, "metrics": metrics})
        resources.append({"attributes": attributes(resource.resource.attributes), "scopes": scopes})
    return {"resources": resources, "bytes": request.ByteSize()}


def main():
    data = sys.stdin.buffer.read()
    requests = []
    offset = 0
    while offset < len(data):
        (length,) = struct.unpack_from("<Q", data, offset)
        offset += 8
        request = metrics_service_pb2.ExportMetricsServiceRequest()
        request.ParseFromString(data[offset:offset + length])
        offset += length
        requests.append(request_json(request))
    json.dump(requests, sys.stdout)


main()
