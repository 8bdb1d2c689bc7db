"""Parses a Prometheus text 0.0.4 or OpenMetrics 1.0 exposition with the official
Python client's parsers (an oracle independent of Telegen's) and prints its families
as JSON: [{"name", "type", "samples": [{"name", "labels", "value", "timestamp"}]}].

Usage: exposition_json.py text|openmetrics < exposition
"""
import json
import math
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
from prometheus_client.parser import text_string_to_metric_families as text_families


def number(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def main():
    text = sys.stdin.read()
    parse = openmetrics_families if sys.argv[1] == "openmetrics" else text_families
    families = []
    for family in parse(text):
        families.append({"name": family.name, "type": family.type, "samples": [
            {"name": sample.name, "labels": sample.labels, "value": number(sample.value),
             "timestamp": None if sample.timestamp is None else float(sample.timestamp)}
            for sample in family.samples]})
    json.dump(families, sys.stdout)


if __name__ == "__main__":
    main()
