"""End-to-end cost and latency of the event stream in the release binary.

The project's fake API server (Tests/Python/fake_apiserver.py, h2c on loopback) takes
core/v1 events written through its control API; Telegen runs with logs_streaming only
(kube-state, node and container collectors off), sending to the grpcio receiver
(Tests/Python/otlp_receiver.py). Measured:

  latency   from just before each write to the API server until the receiver got the
            record (writes paced at --rate per second), p50 / p90 / p99 / max
  burst     --burst events written as fast as the fake server takes them: the agent's CPU
            per event (watch line, decode, dedup, map, encode, gzip, gRPC) and the wall time
            until the last record arrived
  rss       the agent's resident memory after the burst

Usage: scripts/bench-events [--events N] [--rate R] [--burst N] [--binary PATH]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kubestate_e2e import ROOT, cpu_seconds, free_port, start, status, write_kubeconfig  # noqa: E402


def control(port, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read() or b"null")


def event(index, prefix):
    uid = f"{prefix}-{index:08d}"
    return {
        "metadata": {"name": f"web-{index}.{prefix}", "namespace": "shop", "uid": uid,
                     "creationTimestamp": "2026-12-03T10:00:01Z"},
        "involvedObject": {"kind": "Pod", "namespace": "shop", "name": f"web-{index}", "uid": f"pod-{uid}",
                           "apiVersion": "v1", "resourceVersion": "4242", "fieldPath": "spec.containers{web}"},
        "reason": "BackOff", "message": f"Back-off restarting failed container web in pod web-{index}_shop(pod-{uid})",
        "source": {"component": "kubelet", "host": "node-17"},
        "firstTimestamp": "2026-12-03T10:00:01Z", "lastTimestamp": "2026-12-03T10:00:01Z", "count": 1,
        "type": "Warning", "eventTime": None, "reportingComponent": "kubelet", "reportingInstance": "node-17",
    }


def arrivals(path):
    """uid -> arrival time of its first record, and the number of records."""
    seen, total = {}, 0
    with open(path) as handle:
        for line in handle:
            entry = json.loads(line)
            for resource in entry["request"].get("resource_logs", []):
                for scope in resource.get("scope_logs", []):
                    for record in scope.get("log_records", []):
                        total += 1
                        for attribute in record.get("attributes", []):
                            if attribute["key"] == "k8s.event.uid":
                                seen.setdefault(attribute["value"]["string_value"], entry["time"])
    return seen, total


def wait_for(path, count, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen, total = arrivals(path)
        if total >= count:
            return seen, total
        time.sleep(0.05)
    return arrivals(path)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=600, help="events for the latency run")
    parser.add_argument("--rate", type=float, default=20, help="latency run writes per second")
    parser.add_argument("--burst", type=int, default=20000, help="events for the CPU run")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/telegen"))
    options = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="telegen-events-")
    python = os.path.join(ROOT, ".venv/bin/python3")
    port, control_port = free_port(), free_port()
    server, _ = start([python, os.path.join(ROOT, "Tests/Python/fake_apiserver.py"), "--plaintext", "--port", str(port),
                       "--control-port", str(control_port), "--record", "/dev/null", "--bookmark-interval", "0"])
    records = os.path.join(scratch, "otlp.jsonl")
    open(records, "w").close()
    receiver, words = start([python, os.path.join(ROOT, "Tests/Python/otlp_receiver.py"), "--record", records])
    kubeconfig = write_kubeconfig(scratch, port)
    config = os.path.join(scratch, "telegen.yaml")
    with open(config, "w") as handle:
        handle.write(f"""kubernetes:
  kubeconfig: {kubeconfig}
kube_metrics:
  listen_address: "127.0.0.1:{free_port()}"
  kube_state:
    enabled: false
  cadvisor:
    enabled: false
  node:
    enabled: false
  streaming:
    endpoint: "http://127.0.0.1:{words[1]}"
  logs_streaming:
    enabled: true
    rate_limit: 1000000
    checkpoint_file: {scratch}/events.checkpoint
""")
    agent = subprocess.Popen([options.binary, "--config", config, "--log-level", "warn"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not any(w["resource"] == "events" for w in control(control_port, "/state")["watches"]):
            if time.monotonic() > deadline:
                raise SystemExit("the agent did not open the event watch")
            time.sleep(0.05)

        written = {}
        interval = 1 / options.rate
        next_write = time.monotonic()
        for index in range(options.events):
            body = event(index, "lat")
            written[body["metadata"]["uid"]] = time.time()
            control(control_port, "/objects", {"resource": "events", "object": body})
            next_write += interval
            time.sleep(max(0, next_write - time.monotonic()))
        seen, total = wait_for(records, options.events, 60)
        latencies = [(seen[uid] - at) * 1000 for uid, at in written.items() if uid in seen]
        print(f"latency: {len(latencies)}/{options.events} events at {options.rate:g}/s, records {total}; "
              f"p50 {percentile(latencies, 0.5):.0f} ms, p90 {percentile(latencies, 0.9):.0f} ms, "
              f"p99 {percentile(latencies, 0.99):.0f} ms, max {max(latencies):.0f} ms")

        cpu_before = cpu_seconds(agent.pid)
        started = time.monotonic()
        batch = 500
        for first in range(0, options.burst, batch):
            control(control_port, "/objects", {"resource": "events",
                                               "objects": [event(index, "burst") for index in range(first, min(first + batch, options.burst))]})
        written_in = time.monotonic() - started
        seen, total = wait_for(records, options.events + options.burst, 300)
        wall = time.monotonic() - started
        cpu = cpu_seconds(agent.pid) - cpu_before
        print(f"burst: {options.burst} events written in {written_in:.1f} s, all {total - options.events} records in {wall:.1f} s; "
              f"agent CPU {cpu:.2f} s = {cpu / options.burst * 1e6:.1f} µs/event; "
              f"RSS {status(agent.pid, 'VmRSS') / 1048576:.1f} MiB, HWM {status(agent.pid, 'VmHWM') / 1048576:.1f} MiB")
        duplicates = total - len(seen)
        if duplicates:
            print(f"DUPLICATES: {duplicates}")
    finally:
        agent.terminate()
        agent.wait(timeout=30)
        receiver.terminate()
        server.terminate()


if __name__ == "__main__":
    main()
