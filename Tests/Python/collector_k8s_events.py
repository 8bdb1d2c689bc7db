"""The OpenTelemetry Collector `k8s_events` receiver's Event -> log record mapping, written
out in Python so that Telegen's Swift mapping can be compared with it field by field
(Tests/EventLogsTests/EventRecordMappingTests.swift). Python 3.11 standard library only.

    python3 Tests/Python/collector_k8s_events.py < Tests/Fixtures/events/mapping.json

Reads a JSON array of core/v1 Event objects (as /api/v1/events serves them) on stdin and
writes a JSON array with one entry per event:

    {"resource": [[key, {"string": v}], ...],
     "record": {"time_unix_nano": int, "severity_number": int, "severity_text": str | null,
                "body": str, "attributes": [[key, {"string": v} | {"int": n}], ...]}}

with attributes in the order the receiver inserts them (pdata maps keep insertion order).

Transcribed from open-telemetry/opentelemetry-collector-contrib:
  * receiver/k8seventsreceiver/k8s_event_to_logdata.go, k8sEventToLogData (the version
    that imports semconv v1.38 and internal/k8sinventory), with
    `k8s.event.reporting_controller` / `k8s.event.reporting_instance` placed after
    `k8s.namespace.name` and before `k8s.event.count` as PR #45289 added them and as the
    e2e golden file testdata/e2e/expected/watch_events.yaml lists them;
  * internal/k8sinventory/utils.go, GetEventTimestamp;
  * receiver/k8seventsreceiver/receiver.go for how the object gets there: the dynamic
    client's JSON decoding, then runtime.DefaultUnstructuredConverter into corev1.Event.
The receiver's start-time filter (allowEvent) decides whether a record is made at all and
is not part of the mapping, so it is left out.

What Go does on the way that Python would do differently, reproduced here:
  * JSON strings: Go's decoder turns each invalid UTF-8 byte and each unpaired surrogate
    escape (\\ud800) into U+FFFD; Python would fail or keep the lone surrogate.
  * Times: metav1.Time / metav1.MicroTime parse RFC 3339 (MicroTime with exactly six
    fraction digits) and keep the instant; `null` is Go's zero time.Time. The record time
    is pcommon.NewTimestampFromTime(t) = uint64(t.UnixNano()), which for the zero time
    wraps around (int64 overflow) rather than giving 0.
  * `k8s.event.start_time` is creationTimestamp.String(): Go's
    "2006-01-02 15:04:05.999999999 -0700 MST" in the process's local zone. The parsed
    time is converted with .Local(); the Collector's container has no TZ and no zoneinfo,
    so Local is UTC and this renders "+0000 UTC".
"""
import datetime
import json
import re
import sys

# severityMap in k8s_event_to_logdata.go, looked up with strings.ToLower(ev.Type).
SEVERITY = {"normal": 9, "warning": 13, "error": 17, "critical": 21}

GO_ZERO_UNIX_SECONDS = -62135596800  # time.Time{}: January 1, year 1, 00:00:00 UTC
UINT64 = 1 << 64


def go_utf8_decode(data):
    """bytes -> str the way Go's JSON decoder reads string bytes: a byte that does not
    start a valid UTF-8 sequence becomes U+FFFD and decoding resumes at the next byte
    (utf8.DecodeRune's (RuneError, 1)). Python's errors="replace" groups some bytes."""
    out = []
    i = 0
    while i < len(data):
        byte = data[i]
        length = 1 if byte < 0x80 else 2 if 0xC2 <= byte <= 0xDF else 3 if 0xE0 <= byte <= 0xEF else 4 if 0xF0 <= byte <= 0xF4 else 0
        if length:
            try:
                # Python's strict decoder rejects overlongs, surrogates and > U+10FFFF as Go does.
                out.append(data[i:i + length].decode("utf-8"))
                i += length
                continue
            except UnicodeDecodeError:
                pass
        out.append("\ufffd")
        i += 1
    return "".join(out)


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def go_strings(value):
    """Python's json keeps an unpaired \\uD800 escape as a lone surrogate; Go's decoder
    (encoding/json unquote, and sigs.k8s.io/json's fork of it) writes U+FFFD for it."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [go_strings(element) for element in value]
    if isinstance(value, dict):
        return {go_strings(key): go_strings(element) for key, element in value.items()}
    return value


RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$")


def go_time(value, micro=False):
    """A metav1.Time (micro=False) or metav1.MicroTime (micro=True) JSON value as Unix
    nanoseconds, or None for Go's zero time (JSON null or absent)."""
    if value is None:
        return None
    match = RFC3339.match(value)
    if not match:
        raise ValueError(f"not RFC 3339: {value!r}")  # UnmarshalJSON fails; the receiver drops the object
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if micro and (fraction is None or len(fraction) != 6):
        raise ValueError(f"MicroTime needs six fraction digits (RFC3339Micro): {value!r}")
    instant = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                tzinfo=datetime.timezone.utc)
    seconds = (instant - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)) // datetime.timedelta(seconds=1)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    nanoseconds = int((fraction or "0")[:9].ljust(9, "0"))
    return seconds * 1_000_000_000 + nanoseconds


def unix_nano_uint64(time):
    """pcommon.NewTimestampFromTime(t): uint64(t.UnixNano()), int64 arithmetic wrapping."""
    nanoseconds = GO_ZERO_UNIX_SECONDS * 1_000_000_000 if time is None else time
    return nanoseconds % UINT64


def go_time_string(time):
    """time.Time.String() in UTC: fraction only when non-zero, trailing zeros dropped."""
    nanoseconds = GO_ZERO_UNIX_SECONDS * 1_000_000_000 if time is None else time
    seconds, fraction = divmod(nanoseconds, 1_000_000_000)
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    return text + " +0000 UTC"


def get_event_timestamp(event):
    """k8sinventory.GetEventTimestamp: EventTime, else LastTimestamp, else FirstTimestamp,
    each if not the zero time; else the zero time."""
    for key, micro in (("eventTime", True), ("lastTimestamp", False), ("firstTimestamp", False)):
        time = go_time(event.get(key), micro)
        if time is not None:
            return time
    return None


def string(value):
    """A Go string field: absent or null is ""."""
    return "" if value is None else value


def k8s_event_to_log_data(event):
    metadata = event.get("metadata") or {}
    involved = event.get("involvedObject") or {}
    source = event.get("source") or {}

    resource = [
        ["k8s.node.name", {"string": string(source.get("host"))}],
        # Attributes related to the object causing the event.
        ["k8s.object.kind", {"string": string(involved.get("kind"))}],
        ["k8s.object.name", {"string": string(involved.get("name"))}],
        ["k8s.object.uid", {"string": string(involved.get("uid"))}],
        ["k8s.object.fieldpath", {"string": string(involved.get("fieldPath"))}],
        ["k8s.object.api_version", {"string": string(involved.get("apiVersion"))}],
        ["k8s.object.resource_version", {"string": string(involved.get("resourceVersion"))}],
    ]

    event_type = string(event.get("type"))
    severity_number = SEVERITY.get(event_type.lower())
    # Unknown type: neither number nor text is set (only a debug log).
    severity_text = event_type if severity_number is not None else None

    attributes = [
        ["k8s.event.reason", {"string": string(event.get("reason"))}],
        ["k8s.event.action", {"string": string(event.get("action"))}],
        ["k8s.event.start_time", {"string": go_time_string(go_time(metadata.get("creationTimestamp")))}],
        ["k8s.event.name", {"string": string(metadata.get("name"))}],
        ["k8s.event.uid", {"string": string(metadata.get("uid"))}],
        ["k8s.namespace.name", {"string": string(involved.get("namespace"))}],
        # corev1.Event.ReportingController's JSON key is "reportingComponent".
        ["k8s.event.reporting_controller", {"string": string(event.get("reportingComponent"))}],
        ["k8s.event.reporting_instance", {"string": string(event.get("reportingInstance"))}],
    ]
    # "Count" is 0 when absent from the object, and then not emitted.
    count = event.get("count") or 0
    if count != 0:
        attributes.append(["k8s.event.count", {"int": int(count)}])

    return {
        "resource": resource,
        "record": {
            "time_unix_nano": unix_nano_uint64(get_event_timestamp(event)),
            "severity_number": severity_number or 0,
            "severity_text": severity_text,
            "body": string(event.get("message")),
            "attributes": attributes,
        },
    }


def main():
    events = go_strings(json.loads(go_utf8_decode(sys.stdin.buffer.read())))
    output = [k8s_event_to_log_data(event) for event in events]
    sys.stdout.buffer.write(json.dumps(output, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")


if __name__ == "__main__":
    main()
