"""End-to-end cost of kube-state in the release binary, as a user would see it.

The project's fake API server (Tests/Python/fake_apiserver.py, h2c on loopback) serves N
synthetic pods (about 7 KB of JSON each, 1-3 containers, managed fields); Telegen runs
with kube-state on the given resources only (node and container collectors off),
pushing OTLP to a counting receiver (Tests/Python/otlp_receiver.py --summary). The
script measures, from /proc and the agent's endpoints:

  baseline RSS      the agent with no objects (a first run against an empty server), after the
                    same scrape, first push and quiet period as the steady reading
  list              wall and agent CPU from start to /readyz, and the RSS high-water mark
  steady            RSS after one scrape, one push and a quiet period, per pod above baseline
  scrape            agent CPU and bytes for one GET /metrics/kubestate (text, uncompressed)
  push              the time for one push of everything to reach the receiver, its points,
                    and the agent's CPU while it ran
  relist            a 410 (history compacted, connections dropped): the RSS high-water mark
                    while every object is listed again over the stored ones

Usage: scripts/bench-kubestate [--pods N] [--resources pods|all|a,b,...] [--objects FILE]
                               [--shard K --total-shards N] [--quiet S] [--binary PATH]
       scripts/bench-kubestate --pods N --list-only [--repeat R] [--against PATH]

--list-only measures only the initial list, R times (CPU from start to /readyz, start-up
included), alternating with another binary's when --against names one: the way to compare
two builds on a VM whose speed drifts.

--objects adds a file of other objects (Benchmarks/cluster_objects.py writes one with
every kind in a typical proportion to the pods); --shard/--total-shards run the agent as
one shard of N, as kube-state-metrics' sharding splits the objects.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(arguments, ready_word="READY", env=None):
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = process.stdout.readline()
    if not line.startswith(ready_word):
        raise SystemExit(f"{arguments[1]} did not start: {line!r}")
    return process, line.split()


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def status(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def write_kubeconfig(scratch, port):
    """A kubeconfig for the fake server on loopback (h2c, a static token); returns its path."""
    path = os.path.join(scratch, "kubeconfig")
    with open(path, "w") as handle:
        handle.write(f"""apiVersion: v1
kind: Config
clusters: [{{name: fake, cluster: {{server: "http://127.0.0.1:{port}"}}}}]
users: [{{name: fake, user: {{token: bench}}}}]
contexts: [{{name: fake, context: {{cluster: fake, user: fake}}}}]
current-context: fake
""")
    return path


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Cluster:
    """The fake API server and the OTLP receiver the agent talks to."""

    def __init__(self, options, pods):
        python = os.path.join(ROOT, ".venv/bin/python3")
        self.port, self.control_port = free_port(), free_port()
        server = [python, os.path.join(ROOT, "Tests/Python/fake_apiserver.py"), "--plaintext", "--port", str(self.port),
                  "--control-port", str(self.control_port), "--record", "/dev/null", "--bookmark-interval", "0"]
        if pods:
            server += ["--synthetic-pods", str(pods), "--nodes", str(max(1, min(1000, pods // 30)))]
            if options.objects:
                server += ["--objects", options.objects]
        self.server, _ = start(server)
        self.scratch = tempfile.mkdtemp(prefix="telegen-bench-")
        self.records = os.path.join(self.scratch, "otlp.jsonl")
        open(self.records, "w").close()
        self.receiver, words = start([python, os.path.join(ROOT, "Tests/Python/otlp_receiver.py"), "--summary",
                                      "--record", self.records, "--max-receive-bytes", str(8 << 20)])
        self.receiver_port = words[1]

    def stop(self):
        for process in (self.receiver, self.server):
            process.send_signal(signal.SIGTERM)
        for process in (self.receiver, self.server):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Run:
    """One agent against a cluster: its own, or a shared one it leaves running."""

    def __init__(self, options, pods, cluster=None):
        self.owns_cluster = cluster is None
        self.cluster = cluster or Cluster(options, pods)
        self.control_port = self.cluster.control_port
        self.records = self.cluster.records
        self.scratch = tempfile.mkdtemp(prefix="telegen-bench-agent-")
        kubeconfig = write_kubeconfig(self.scratch, self.cluster.port)
        self.listen = free_port()
        config = os.path.join(self.scratch, "telegen.yaml")
        resources = ", ".join(resource_names(options.resources))
        with open(config, "w") as handle:
            handle.write(f"""kubernetes:
  kubeconfig: {kubeconfig}
kube_metrics:
  listen_address: "127.0.0.1:{self.listen}"
  kube_state:
    resources: [{resources}]
    node_local_pods: "false"
    shard: {options.shard}
    total_shards: {options.total_shards}
  cadvisor:
    enabled: false
  node:
    enabled: false
  streaming:
    enabled: true
    endpoint: "http://127.0.0.1:{self.cluster.receiver_port}"
    interval: {options.interval}s
    timeout: 60s
""")
        self.started = time.monotonic()
        self.agent = subprocess.Popen([options.binary, "--config", config, "--log-level", "warn"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pid = self.agent.pid

    def url(self, path):
        return f"http://127.0.0.1:{self.listen}{path}"

    def wait_ready(self, every=0.05):
        while True:
            if self.agent.poll() is not None:
                raise SystemExit(f"the agent exited ({self.agent.returncode}) before it was ready")
            try:
                if get(self.url("/readyz"))[0] == 200:
                    return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(every)

    def control(self, path, body=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.control_port}{path}", data=json.dumps(body or {}).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()

    def self_metric(self, prefix):
        _, body = get(self.url("/metrics/self"))
        for line in body.decode().splitlines():
            if line.startswith(prefix + " "):
                return float(line.rsplit(" ", 1)[1])
        return None

    def self_sum(self, prefix):
        _, body = get(self.url("/metrics/self"))
        return sum(float(line.rsplit(" ", 1)[1]) for line in body.decode().splitlines() if line.startswith(prefix))

    def pushed(self):
        points, calls, last = 0, 0, 0.0
        for line in open(self.records):
            entry = json.loads(line)
            points += entry.get("points", 0)
            calls += 1
            last = max(last, entry.get("time", 0))
        return points, calls, last

    def stop(self):
        self.agent.send_signal(signal.SIGTERM)
        try:
            self.agent.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.agent.kill()
        shutil.rmtree(self.scratch, ignore_errors=True)
        if self.owns_cluster:
            self.cluster.stop()


def resource_names(text):
    if text != "all":
        return text.split(",")
    with open(os.path.join(ROOT, "Tests/Fixtures/kubestate/identity-labels.tsv")) as handle:
        return [line.split("\t")[0] for line in handle][1:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--resources", default="pods")
    parser.add_argument("--objects")
    parser.add_argument("--shard", type=int, default=0)
    parser.add_argument("--total-shards", type=int, default=1)
    parser.add_argument("--quiet", type=float, default=25)
    parser.add_argument("--interval", type=int, default=60)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/telegen"))
    parser.add_argument("--list-only", action="store_true",
                        help="only the initial list, --repeat times: the agent's CPU until /readyz, start-up included")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", help="with --list-only: another binary, whose lists alternate with --binary's "
                                          "(this VM's speed drifts between runs minutes apart)")
    options = parser.parse_args()

    if options.list_only:
        binaries = [options.binary] + ([options.against] if options.against else [])
        # One server for every run: it serves the same objects to each agent's list.
        cluster = Cluster(options, options.pods)
        try:
            for _ in range(options.repeat):
                for binary in binaries:
                    run = Run(argparse.Namespace(**{**vars(options), "binary": binary}), options.pods, cluster)
                    try:
                        wall = run.wait_ready()
                        cpu = cpu_seconds(run.pid)
                    finally:
                        run.stop()
                    print(f"{binary}: list {wall:.2f} s wall, {cpu:.2f} s agent CPU = {cpu / options.pods * 1e6:.1f} µs per pod",
                          flush=True)
        finally:
            cluster.stop()
        return

    empty = Run(options, 0)
    empty.wait_ready()
    startup_cpu = cpu_seconds(empty.pid)
    # What the measured run does before its steady reading, without objects: a scrape (text
    # and gzip), the first push, the quiet period. Both readings then come after the release
    # of start-up's pages (30 s after start, docs/architecture.md) and count the code that
    # serving and pushing fault back in, so the difference is what the objects cost.
    get(empty.url("/metrics/kubestate"))
    get(empty.url("/metrics/kubestate"), {"Accept-Encoding": "gzip"})
    deadline = time.time() + options.interval * 2 + 60
    while time.time() < deadline and not any(True for _ in open(empty.records)):
        time.sleep(0.5)
    time.sleep(options.quiet)
    baseline = status(empty.pid, "VmRSS")
    baseline_split = (status(empty.pid, "RssAnon"), status(empty.pid, "RssFile"))
    empty.stop()

    run = Run(options, options.pods)
    try:
        list_wall = run.wait_ready()
        list_cpu = cpu_seconds(run.pid)
        list_peak = status(run.pid, "VmHWM")
        time.sleep(2)
        after_list = status(run.pid, "VmRSS")
        held = run.self_sum("telegen_kube_objects{")

        before = cpu_seconds(run.pid)
        started = time.monotonic()
        code, body = get(run.url("/metrics/kubestate"))
        scrape_wall = time.monotonic() - started
        scrape_cpu = cpu_seconds(run.pid) - before
        series = body.count(b"\n") - body.count(b"\n#")
        gzip_before = cpu_seconds(run.pid)
        _, compressed = get(run.url("/metrics/kubestate"), {"Accept-Encoding": "gzip"})
        gzip_cpu = cpu_seconds(run.pid) - gzip_before

        # The first push of everything (pushes start one interval after start): wait until
        # its points have arrived, then time it from its first request to its last.
        # Its CPU is read across the wait, so it includes the idle agent's until the push
        # starts (a few milliseconds).
        push_before = cpu_seconds(run.pid)
        deadline = time.time() + options.interval * 2 + 300
        entries = []
        while time.time() < deadline:
            time.sleep(0.5)
            entries = [json.loads(line) for line in open(run.records)]
            if sum(entry.get("points", 0) for entry in entries) >= series:
                break
        push, total = [], 0
        for entry in sorted(entries, key=lambda entry: entry["time"]):
            push.append(entry)
            total += entry.get("points", 0)
            if total >= series:
                break
        push_cpu = cpu_seconds(run.pid) - push_before
        points, calls = total, len(push)
        push_span = (push[-1]["time"] - push[0]["time"]) if push else 0
        time.sleep(options.quiet)
        steady = status(run.pid, "VmRSS")
        steady_split = (status(run.pid, "RssAnon"), status(run.pid, "RssFile"))
        peak = status(run.pid, "VmHWM")

        # A relist: keep the watch away (three failed watches), drop the connection,
        # change something and compact the history, so the watch resumes from a version
        # the server no longer has (410) and lists everything again over the store.
        # Only after the next push has been delivered whole, so that the relist's
        # high-water mark is its own and not a push's transient.
        deadline = time.time() + options.interval * 2 + 300
        while time.time() < deadline:
            time.sleep(0.5)
            if sum(json.loads(line).get("points", 0) for line in open(run.records)) >= 2 * series:
                break
        time.sleep(1)
        requests_before_relist = sum(1 for _ in open(run.records))
        with open(f"/proc/{run.pid}/clear_refs", "w") as handle:
            handle.write("5")  # resets VmHWM
        lists_before = run.self_metric('telegen_kube_list_calls_total{resource="pods"}')
        run.control("/fail-next", {"status": 500, "count": 3, "resource": "pods", "verb": "watch"})
        run.control("/drop-connections")
        run.control("/objects", {"resource": "pods", "object": {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "after-the-gap", "namespace": "default",
                                                           "uid": "0b3d6c1e-0000-4000-8000-00000000abcd"},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "app:1"}]}, "status": {"phase": "Running"}}})
        run.control("/compact")
        relist_started = time.monotonic()
        while run.self_metric('telegen_kube_list_calls_total{resource="pods"}') == lists_before and time.monotonic() - relist_started < 120:
            time.sleep(0.2)
        while run.self_metric('telegen_kube_synced{resource="pods"}') != 1 and time.monotonic() - relist_started < 300:
            time.sleep(0.2)
        relist_wall = time.monotonic() - relist_started
        relist_peak = status(run.pid, "VmHWM")
        pushed_during_relist = sum(1 for _ in open(run.records)) > requests_before_relist
        time.sleep(5)
        after_relist = status(run.pid, "VmRSS")
    finally:
        run.stop()

    pods = options.pods
    mib = 1024 * 1024
    listed = pods + max(1, min(1000, pods // 30))
    if options.objects:
        with open(options.objects) as handle:
            listed += sum(len(documents) for documents in json.load(handle).values())
    print(f"pods: {pods}  objects listed (pods, nodes and --objects): {listed}  held by this agent: {held:.0f}  "
          f"resources: {options.resources}  shard {options.shard} of {options.total_shards}  binary: {options.binary}")
    print(f"baseline RSS (no objects): {baseline / mib:.1f} MiB (anonymous {baseline_split[0] / mib:.1f}, file {baseline_split[1] / mib:.1f})")
    print(f"initial list: {list_wall:.2f} s wall, {list_cpu:.2f} s agent CPU = {(list_cpu - startup_cpu) / pods * 1e6:.1f} µs per pod, "
          f"{(list_cpu - startup_cpu) / listed * 1e6:.1f} µs per object listed (start-up without objects: {startup_cpu:.2f} s)")
    print(f"RSS after the list: {after_list / mib:.1f} MiB; high-water mark during the list: {list_peak / mib:.1f} MiB")
    print(f"scrape /metrics/kubestate: HTTP {code}, {len(body) / mib:.1f} MiB, {series} series, {scrape_wall:.2f} s wall, "
          f"{scrape_cpu:.2f} s agent CPU; gzip: {len(compressed) / mib:.1f} MiB, {gzip_cpu:.2f} s agent CPU")
    print(f"push: {points} points in {calls} requests, {push_span:.2f} s from first to last request, "
          f"{push_cpu:.2f} s agent CPU")
    print(f"steady RSS after scrape, push and {options.quiet:.0f} s quiet: {steady / mib:.1f} MiB "
          f"= {(steady - baseline) / pods:.0f} B per pod, {(steady - baseline) / max(held, 1):.0f} B per object held, above baseline "
          f"(anonymous {steady_split[0] / mib:.1f} MiB, file {steady_split[1] / mib:.1f} MiB)")
    print(f"peak RSS over the run: {peak / mib:.1f} MiB = {peak / max(steady, 1):.2f}x steady "
          f"({(peak - baseline) / max(steady - baseline, 1):.2f}x above baseline)")
    print(f"relist after a 410: {relist_wall:.1f} s; high-water mark {relist_peak / mib:.1f} MiB = {relist_peak / max(steady, 1):.2f}x steady; "
          f"RSS after it {after_relist / mib:.1f} MiB" + (" (a push ran during it)" if pushed_during_relist else ""))


if __name__ == "__main__":
    main()
