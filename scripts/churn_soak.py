"""Churn soak of kube-state in the release binary (scripts/soak): memory, ghosts, lost changes.

The project's fake API server (Tests/Python/fake_apiserver.py, h2c on loopback) starts with
--pods synthetic pods (plus their nodes and namespaces); one agent runs kube-state on pods,
nodes and namespaces (node and container collectors and the push off), with `track` and
`app` in the pods' label allowlist. After the list and a first scrape, the fake server's
churn generator (POST /churn, its PodChurn) pushes --events pod watch events, paced by
what the agent takes: creates, updates (scheduling, phase changes, readiness flips,
container restarts and crash loops, label changes, deletionTimestamps) and deletes,
ending at the starting number of pods. The agent is scraped every --scrape-interval
seconds meanwhile, as Prometheus would, and its RSS sampled from /proc.

Checks (the script exits 1 when one fails):
  rss      VmRSS after the churn, a final scrape and --quiet seconds is within --rss-tolerance
           of VmRSS after the list, a first scrape and --quiet seconds (peak reported)
  ghosts   every kube_pod_* series names a live pod (namespace, pod and uid as the
           server holds them), and every live pod has its kube_pod_info
  changes  what the server holds now is what the agent shows: phase, every container's
           restart count and readiness, the `track` label, the deletion timestamp
  counters the agent applied every event exactly once (telegen_kube_watch_events_total
           for pods went up by --events) with no decode error, failed call or relist;
           telegen_kube_objects for pods is the pod count

Usage: scripts/soak [--pods N] [--events N] [--rounds R] [--seed S] [--scrape-interval S] [--quiet S]
                    [--heap] [--binary PATH] [--keep]

--heap preloads scripts/soak_heap.c (LD_PRELOAD) into the agent and reports, besides RSS, the
bytes glibc's allocator has in use and holds (mallinfo2): live heap that stays flat while
RSS grows is memory the allocator keeps, not a leak.
"""
import argparse
import calendar
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
from kubestate_e2e import cpu_seconds, free_port, get, start, status, write_kubeconfig  # noqa: E402

MIB = 1024 * 1024
SERIES = re.compile(rb'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(rb'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_series(body, prefix=b"kube_pod_"):
    """(family, {label: value}, value) of every sample line whose name starts with `prefix`."""
    for line in body.split(b"\n"):
        if not line.startswith(prefix):
            continue
        match = SERIES.match(line)
        if match is None:
            raise SystemExit(f"unparsable exposition line: {line[:200]!r}")
        labels = {name.decode(): value.decode().replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                  for name, value in LABEL.findall(match.group(2) or b"")}
        yield match.group(1).decode(), labels, float(match.group(3))


def mappings(pid):
    """Resident bytes per mapping of /proc/<pid>/smaps: {(start address, name): bytes}."""
    out, key = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and not fields[0].endswith(":"):
            key = (fields[0].split("-")[0], fields[5] if len(fields) > 5 else "[anonymous]")
        elif fields[0] == "Rss:":
            out[key] = int(fields[1]) * 1024
    return out


def mapping_changes(before, after, count=6):
    """The mappings whose resident size changed most, as text."""
    changes = sorted(((after.get(key, 0) - before.get(key, 0), key) for key in set(before) | set(after)),
                     key=lambda item: -abs(item[0]))
    return ", ".join(f"{name} at {start}: {change / MIB:+.1f} MiB" for change, (start, name) in changes[:count] if change)


def epoch(text):
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


class Soak:
    def __init__(self, options):
        self.options = options
        self.scratch = tempfile.mkdtemp(prefix="telegen-soak-")
        python = os.path.join(ROOT, ".venv/bin/python3")
        port = free_port()
        self.server, words = start([python, os.path.join(ROOT, "Tests/Python/fake_apiserver.py"), "--plaintext",
                                    "--port", str(port), "--record", "/dev/null", "--bookmark-interval", "10",
                                    "--max-history", str(options.max_history),
                                    "--synthetic-pods", str(options.pods), "--nodes", str(max(1, min(1000, options.pods // 30))),
                                    "--seed", str(options.seed)])
        self.control_port = int(words[2])
        self.listen = free_port()
        config = os.path.join(self.scratch, "telegen.yaml")
        with open(config, "w") as handle:
            handle.write(f"""kubernetes:
  kubeconfig: {write_kubeconfig(self.scratch, port)}
kube_metrics:
  listen_address: "127.0.0.1:{self.listen}"
  kube_state:
    resources: [pods, nodes, namespaces]
    node_local_pods: "false"
    metric_labels_allowlist: {{pods: [track, app]}}
  cadvisor:
    enabled: false
  node:
    enabled: false
  streaming:
    enabled: false
""")
        self.log = open(os.path.join(self.scratch, "telegen.log"), "w")
        environment = dict(os.environ)
        self.heap_log = None
        if options.heap:  # scripts/soak_heap.c preloaded: the allocator's own figures every second
            library = os.path.join(self.scratch, "soak_heap.so")
            subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", library, os.path.join(ROOT, "scripts/soak_heap.c"),
                            "-lpthread"], check=True)
            self.heap_log = os.path.join(self.scratch, "heap.log")
            environment.update(LD_PRELOAD=library, SOAK_HEAP_LOG=self.heap_log)
        self.started = time.monotonic()
        self.agent = subprocess.Popen([options.binary, "--config", config, "--log-level", "warn"],
                                      stdout=self.log, stderr=subprocess.STDOUT, env=environment)
        self.pid = self.agent.pid

    def url(self, path):
        return f"http://127.0.0.1:{self.listen}{path}"

    def control(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.control_port}{path}", data=data,
                                         method="POST" if data else "GET", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def wait_ready(self):
        while True:
            if self.agent.poll() is not None:
                raise SystemExit(f"the agent exited ({self.agent.returncode}); log in {self.log.name}")
            try:
                if get(self.url("/readyz"))[0] == 200:
                    return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.05)

    def self_metrics(self):
        _, body = get(self.url("/metrics/self"))
        out = {}
        for line in body.decode().splitlines():
            if line.startswith("telegen_kube_") and 'resource="pods"' in line:
                out[line.split("{", 1)[0]] = float(line.rsplit(" ", 1)[1])
        return out

    def scrape(self):
        code, body = get(self.url("/metrics/kubestate"))
        if code != 200:
            raise SystemExit(f"scrape: HTTP {code}")
        return body

    def rss(self):
        return status(self.pid, "VmRSS")

    def heap(self):
        """(bytes in use, bytes the arenas hold) from a sample taken after this call, or None without --heap."""
        if not self.heap_log:
            return None
        asked = time.time()
        for _ in range(50):
            time.sleep(0.1)
            with open(self.heap_log) as handle:
                lines = handle.read().splitlines()
            if lines and int(lines[-1].split()[0]) > asked:
                _, used, held = lines[-1].split()
                return int(used), int(held)
        return None

    def stop(self):
        for process in (self.agent, self.server):
            process.terminate()
        for process in (self.agent, self.server):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


class Sampler(threading.Thread):
    """RSS every 0.2 s (the peak) and a scrape every `interval` seconds, while the churn runs."""

    def __init__(self, soak, interval):
        super().__init__(daemon=True)
        self.soak, self.interval = soak, interval
        self.peak, self.scrapes, self.scrape_bytes = 0, 0, 0
        self.stopping = threading.Event()

    def run(self):
        next_scrape = time.monotonic() + self.interval
        while not self.stopping.wait(0.2):
            self.peak = max(self.peak, self.soak.rss())
            if self.interval > 0 and time.monotonic() >= next_scrape:
                self.scrape_bytes += len(self.soak.scrape())
                self.scrapes += 1
                next_scrape = time.monotonic() + self.interval


def compare(pods, body):
    """The failed checks (ghosts, missing pods, stale values) of a scrape against the server's pods."""
    live = {(pod["namespace"], pod["name"]): pod for pod in pods}
    problems = collections.defaultdict(list)
    seen_info, families = set(), collections.defaultdict(dict)
    series = 0
    for family, labels, value in parse_series(body):
        series += 1
        key = (labels.get("namespace"), labels.get("pod"))
        pod = live.get(key)
        if pod is None or labels.get("uid") != pod["uid"]:
            problems["ghosts"].append(f"{family} {labels}")
            continue
        if family == "kube_pod_info":
            seen_info.add(key)
        families[family].setdefault(key, []).append((labels, value))
    for key, pod in live.items():
        name = "/".join(key)
        if key not in seen_info:
            problems["missing"].append(name)
            continue
        phases = {labels["phase"]: value for labels, value in families["kube_pod_status_phase"].get(key, [])}
        if pod["phase"] and phases.get(pod["phase"]) != 1 or sum(phases.values()) != (1 if pod["phase"] else 0):
            problems["phase"].append(f"{name}: server {pod['phase']}, agent {phases}")
        restarts = {labels["container"]: value for labels, value in families["kube_pod_container_status_restarts_total"].get(key, [])}
        ready = {labels["container"]: value for labels, value in families["kube_pod_container_status_ready"].get(key, [])}
        for container in pod["containers"]:
            if restarts.get(container["name"]) != container["restartCount"]:
                problems["restarts"].append(f"{name} {container['name']}: server {container['restartCount']}, "
                                            f"agent {restarts.get(container['name'])}")
            if ready.get(container["name"]) != (1 if container["ready"] else 0):
                problems["ready"].append(f"{name} {container['name']}: server {container['ready']}, agent {ready.get(container['name'])}")
        if len(restarts) != len(pod["containers"]):
            problems["restarts"].append(f"{name}: server {len(pod['containers'])} container statuses, agent {sorted(restarts)}")
        labels = families["kube_pod_labels"].get(key, [])
        track = [entry.get("label_track") for entry, _ in labels]
        if track != [pod["labels"].get("track")]:
            problems["labels"].append(f"{name}: server track={pod['labels'].get('track')}, agent {track}")
        deletion = [value for _, value in families["kube_pod_deletion_timestamp"].get(key, [])]
        expected = [epoch(pod["deletionTimestamp"])] if pod["deletionTimestamp"] else []
        if deletion != expected:
            problems["deletion"].append(f"{name}: server {pod['deletionTimestamp']}, agent {deletion}")
    return series, problems


def churn_round(soak, options, number, failures):
    """One churn of --events events, its convergence and its checks; returns its figures."""
    before = soak.self_metrics()
    cpu_before, server_cpu_before = cpu_seconds(soak.pid), cpu_seconds(soak.server.pid)
    sampler = Sampler(soak, options.scrape_interval)
    sampler.peak = soak.rss()
    sampler.start()
    # Another seed per round: a round must not hand out the UIDs and names of the last.
    soak.control("/churn", {"events": options.events, "target": options.pods, "seed": options.seed + 1000 * number})
    progress_at = time.monotonic()
    while True:
        churn = soak.control("/churn/status")
        if not churn["running"]:
            break
        if time.monotonic() - progress_at >= options.progress:
            progress_at = time.monotonic()
            rate = churn["done"] / max(time.time() - churn["started"], 1e-9)
            print(f"  round {number + 1}: {churn['done']} events, {rate:.0f}/s, {churn['pods']} pods, "
                  f"agent RSS {soak.rss() / MIB:.1f} MiB", file=sys.stderr, flush=True)
        time.sleep(0.5)
    if churn["error"]:
        raise SystemExit(f"the churn generator stopped: {churn['error']}")

    # Converged: every event applied (the counter) and the pod count back where it was.
    expected_events = before.get("telegen_kube_watch_events_total", 0) + options.events
    converge_started = time.monotonic()
    while True:
        metrics = soak.self_metrics()
        if metrics.get("telegen_kube_watch_events_total", 0) >= expected_events and \
                metrics.get("telegen_kube_objects") == options.pods:
            break
        if time.monotonic() - converge_started > options.converge_timeout:
            failures.append(f"round {number + 1}: counters: not converged after {options.converge_timeout:.0f} s: {metrics}")
            break
        time.sleep(0.05)
    converge = time.time() - churn["finished"]
    cpu = cpu_seconds(soak.pid) - cpu_before
    server_cpu = cpu_seconds(soak.server.pid) - server_cpu_before
    sampler.stopping.set()
    sampler.join()

    expected = soak.control("/churn/pods")
    series, problems = compare(expected["pods"], soak.scrape())
    for check, items in problems.items():
        failures.append(f"round {number + 1}: {check}: {len(items)} wrong, e.g. " + "; ".join(items[:3]))
    after = soak.self_metrics()
    delta = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    if delta.get("telegen_kube_watch_events_total") != options.events:
        failures.append(f"round {number + 1}: counters: {delta.get('telegen_kube_watch_events_total'):.0f} watch events "
                        f"applied, {options.events} sent")
    for name in ("telegen_kube_decode_errors_total", "telegen_kube_errors_total", "telegen_kube_expired_total",
                 "telegen_kube_list_calls_total", "telegen_kube_relist_deletions_total"):
        if delta.get(name):
            failures.append(f"round {number + 1}: counters: {name} went up by {delta[name]:.0f}")
    if after.get("telegen_kube_objects") != len(expected["pods"]):
        failures.append(f"round {number + 1}: counters: telegen_kube_objects {after.get('telegen_kube_objects')}, "
                        f"server {len(expected['pods'])} pods")

    time.sleep(options.quiet)
    soak.scrape()
    time.sleep(2)
    rss = soak.rss()
    heap = soak.heap()
    return {"heap": heap, "counts": churn["counts"], "stalls": churn["stalls"], "wall": churn["finished"] - churn["started"], "cpu": cpu,
            "server_cpu": server_cpu, "converge": converge, "scrapes": sampler.scrapes, "scrape_bytes": sampler.scrape_bytes,
            "series": series, "pods": len(expected["pods"]), "peak": max(sampler.peak, rss), "rss": rss, "delta": delta}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=2000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1, help="churns one after another (RSS after each shows growth or a plateau)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scrape-interval", type=float, default=15)
    parser.add_argument("--quiet", type=float, default=35,
                        help="seconds of quiet before each RSS reading: longer than the agent's 30 s heap trim period")
    parser.add_argument("--rss-tolerance", type=float, default=0.10)
    parser.add_argument("--max-history", type=int, default=20000)
    parser.add_argument("--converge-timeout", type=float, default=300)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/telegen"))
    parser.add_argument("--progress", type=float, default=30, help="seconds between progress lines (stderr)")
    parser.add_argument("--heap", action="store_true",
                        help="preload scripts/soak_heap.c into the agent and report glibc's heap in use and held")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (config, agent log)")
    options = parser.parse_args()

    soak = Soak(options)
    failures, rounds = [], []
    try:
        list_wall = soak.wait_ready()
        soak.scrape()
        time.sleep(options.quiet)
        soak.scrape()
        rss_start = soak.rss()
        heap_start = soak.heap()
        maps_start = mappings(soak.pid)
        list_peak = status(soak.pid, "VmHWM")
        for number in range(options.rounds):
            rounds.append(churn_round(soak, options, number, failures))
        rss_end, maps_end = rounds[-1]["rss"], mappings(soak.pid)
        if rss_end > rss_start * (1 + options.rss_tolerance):
            failures.append(f"rss: {rss_end / MIB:.1f} MiB at the end, {rss_start / MIB:.1f} MiB at the start "
                            f"(+{(rss_end / rss_start - 1) * 100:.1f}%, tolerance {options.rss_tolerance * 100:.0f}%)")
    finally:
        soak.stop()
        if not options.keep and not failures:
            subprocess.run(["rm", "-rf", soak.scratch])

    print(f"pods: {options.pods} (+{max(1, min(1000, options.pods // 30))} nodes)  events: {options.events} x {options.rounds}  "
          f"seed: {options.seed}  binary: {options.binary}")
    print(f"initial list: {list_wall:.2f} s; list high-water mark {list_peak / MIB:.1f} MiB; "
          f"RSS after the list, a scrape and {options.quiet:.0f} s: {rss_start / MIB:.1f} MiB")
    for number, result in enumerate(rounds):
        counts = result["counts"]
        updates = ", ".join(f"{name[7:]} {value}" for name, value in sorted(counts.items()) if name.startswith("update_"))
        print(f"round {number + 1}: {counts.get('create', 0)} creates, {counts.get('update', 0)} updates ({updates}), "
              f"{counts.get('delete', 0)} deletes; {result['stalls']} waits for a watch")
        print(f"  {result['wall']:.1f} s = {options.events / result['wall']:.0f} events/s; agent CPU {result['cpu']:.1f} s "
              f"= {result['cpu'] / options.events * 1e6:.0f} µs per event (fake server: {result['server_cpu']:.1f} s); "
              f"converged {result['converge']:.2f} s after the last event")
        print(f"  scrapes during the churn: {result['scrapes']} ({result['scrape_bytes'] / max(result['scrapes'], 1) / MIB:.1f} MiB each); "
              f"final scrape: {result['series']} kube_pod_* series of {result['pods']} pods")
        print(f"  RSS: peak {result['peak'] / MIB:.1f} MiB, after the round {result['rss'] / MIB:.1f} MiB "
              f"({(result['rss'] / rss_start - 1) * 100:+.1f}% of the start)")
        if result["heap"] and heap_start:
            print(f"  heap (mallinfo2): {result['heap'][0] / MIB:.1f} MiB in use ({heap_start[0] / MIB:.1f} at the start), "
                  f"arenas hold {result['heap'][1] / MIB:.1f} MiB ({heap_start[1] / MIB:.1f} at the start)")
        print("  agent counters: " + ", ".join(f"{name.removeprefix('telegen_kube_')} {value:.0f}"
                                              for name, value in sorted(result["delta"].items()) if value and name.endswith("_total")))
    print(f"RSS: start {rss_start / MIB:.1f} MiB, peak {max(result['peak'] for result in rounds) / MIB:.1f} MiB, "
          f"end {rss_end / MIB:.1f} MiB ({(rss_end / rss_start - 1) * 100:+.1f}%); "
          f"largest changes: {mapping_changes(maps_start, maps_end) or 'none'}")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        print(f"scratch directory (config, agent log): {soak.scratch}")
        sys.exit(1)
    print("OK: RSS back within tolerance, no ghost series, every change applied, counters consistent")


if __name__ == "__main__":
    main()
