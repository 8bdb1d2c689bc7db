#!/usr/bin/env python3
"""Writes starting inputs for each fuzzer from the repository's test fixtures, the
test suites' literal documents and this host's kernel files, one file per input, into
OUTPUT/<target>/. scripts/fuzz --seed merges them (libFuzzer -merge=1) into
Fuzz/corpus/<target>/, which keeps only inputs that add coverage."""
import hashlib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = pathlib.Path(sys.argv[1])

# FuzzKernelFiles' parser order (KernelFileParsers.all): the first byte of each input.
KERNEL = ["meminfo", "stat", "net_dev", "diskstats", "mountinfo", "loadavg", "pressure", "cpu_list",
          "keyed_values", "single_number", "signed_number", "cgroup_procs", "io_stat", "cgroup_name",
          "octal_escapes", "disk_name"]


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > 64 * 1024:
        return
    directory = OUTPUT / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def literals(path):
    """Swift multi-line string literals (raw or not) in a test file."""
    text = path.read_text(errors="replace")
    for match in re.finditer(r'#*"""\n(.*?)\n\s*"""#*', text, re.S):
        lines = match.group(1).split("\n")
        indent = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
        yield "\n".join(l[indent:] for l in lines) + "\n"


def read(path):
    try:
        return pathlib.Path(path).read_bytes()
    except OSError:
        return None


# JSON: every fixture object; pods for the pod decoder.
for path in sorted((ROOT / "Tests/Fixtures").rglob("*.json")):
    data = path.read_bytes()
    # The reader's paths are all in small documents; large ones only make the corpus big.
    if len(data) <= 4096:
        write("FuzzJSONReader", data)
    if "/pods/" in str(path) or path.name.startswith("pod-"):
        write("FuzzPodDecoder", data)

# YAML documents from the tests, by what they configure.
for path in sorted((ROOT / "Tests").rglob("*.swift")):
    for text in literals(path):
        if "current-context" in text or "clusters:" in text:
            write("FuzzKubeconfig", text)
        if "kube_metrics" in text or "streaming:" in text:
            write("FuzzAgentConfig", text)
for path in sorted((ROOT / "docs").glob("*.md")):
    for block in re.findall(r"```yaml\n(.*?)```", path.read_text(), re.S):
        if "kube_metrics" in block:
            write("FuzzAgentConfig", block)

# gRPC responses: a RetryInfo status detail (base64), a percent-encoded message, and
# bodies of one plain and one gzip message.
import base64, gzip
# Status{code: 14, message: "try!", details: [Any{RetryInfo{retry_delay: 1 s}}]}
retry = bytes.fromhex("080e120474727921" "1a300a28" + b"type.googleapis.com/google.rpc.RetryInfo".hex() + "12040a020801")
write("FuzzGRPCResponse", b"\x00" + base64.b64encode(retry) + b"\x00try%20again\x00" + b"\x00\x00\x00\x00\x02\x08\x01")
write("FuzzGRPCResponse", b"\x05" + base64.b64encode(retry).rstrip(b"=") + b"\x00%E2%9C%93\x00"
      + (lambda z: b"\x01" + len(z).to_bytes(4, "big") + z)(gzip.compress(b"\x0a\x00")))
write("FuzzGRPCResponse", b"\x00\x00\x00" + b"\x00\x00\x00\x00\x00")

# Kernel files of this host, and the cgroup files the cgroup reader parses.
host = {
    "meminfo": ["/proc/meminfo"], "stat": ["/proc/stat"], "net_dev": ["/proc/net/dev"], "diskstats": ["/proc/diskstats"],
    "mountinfo": ["/proc/self/mountinfo"], "loadavg": ["/proc/loadavg"],
    "pressure": ["/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io"],
    "cpu_list": ["/sys/devices/system/cpu/online", "/sys/devices/system/cpu/possible"],
    "keyed_values": ["/sys/fs/cgroup/memory/memory.stat", "/sys/fs/cgroup/cpu/cpu.stat", "/sys/fs/cgroup/cpuacct/cpuacct.stat",
                     "/sys/fs/cgroup/memory.stat", "/sys/fs/cgroup/cpu.stat", "/sys/fs/cgroup/memory/memory.oom_control"],
    "single_number": ["/sys/fs/cgroup/memory/memory.usage_in_bytes", "/sys/fs/cgroup/memory.max"],
    "signed_number": ["/sys/fs/cgroup/cpu/cpu.cfs_quota_us"],
    "cgroup_procs": ["/sys/fs/cgroup/cpu/cgroup.procs"],
    "io_stat": ["/sys/fs/cgroup/io.stat", "/sys/fs/cgroup/unified/io.stat"],
}
extra = {
    "pressure": ["some avg10=0.12 avg60=0.05 avg300=0.01 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"],
    "cpu_list": ["0-3,6,8-9\n", "0\n"],
    "single_number": ["max\n", "18446744073709551615\n"],
    "signed_number": ["-1\n", "100000\n"],
    "cgroup_procs": ["1\n42\n"],
    "io_stat": ["8:0 rbytes=1024 wbytes=2048 rios=1 wios=2 dbytes=0 dios=0\n259:0 rbytes=5 wbytes=6 rios=7 wios=8\n"],
    "cgroup_name": ["kubepods.slice", "kubepods-burstable.slice", "kubepods-burstable-pod6a7e2b2c_9d1f_4c3e_8a5b_2f0e1d3c4b5a.slice",
                    "pod6a7e2b2c-9d1f-4c3e-8a5b-2f0e1d3c4b5a", "cri-containerd-" + "ab" * 32 + ".scope", "crio-" + "0f" * 32,
                    "burstable", "0123456789abcdef0123456789abcdef"],
    "octal_escapes": ["/mnt/with\\040space\\011tab\\134", "\\0", "\\777x"],
    "disk_name": ["sda1", "nvme0n1p2", "xvda3", "loop0", "dm-0", "zram10"],
}
for name, paths in host.items():
    for path in paths:
        data = read(path)
        if data:
            write("FuzzKernelFiles", bytes([KERNEL.index(name)]) + data)
for name, texts in extra.items():
    for text in texts:
        write("FuzzKernelFiles", bytes([KERNEL.index(name)]) + text.encode())
for path in sorted((ROOT / "Tests/CgroupReaderTests").glob("*.swift")):
    for text in literals(path):
        for name in ("meminfo", "stat", "net_dev", "diskstats", "mountinfo"):
            write("FuzzKernelFiles", bytes([KERNEL.index(name)]) + text.encode())

# Scraped bodies: the exposition tests' bodies (multi-line literals and the one-line
# cases), client_python's output and this host's node_exporter, each as Prometheus text
# (first byte 0) and as OpenMetrics (first byte 1); the first byte's other bits are the
# sample limit, 0 here.
def swift_string(body, raw):
    """The value of a one-line Swift string literal's body (the escapes the tests use)."""
    if raw:
        return body
    return re.sub(r'\\(u\{([0-9A-Fa-f]+)\}|.)',
                  lambda m: chr(int(m.group(2), 16)) if m.group(2) else {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(m.group(1), m.group(1)),
                  body)


def exposition(text):
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    for format_byte in (b"\x00", b"\x01"):
        write("FuzzExposition", format_byte + data)


for path in sorted((ROOT / "Tests/AppMetricsTests").glob("Exposition*.swift")):
    for text in literals(path):
        exposition(text)
    source = path.read_text(errors="replace")
    for raw, body in re.findall(r'Case\((#?)"((?:[^"\\]|\\.)*)"\1\s*,', source):
        exposition(swift_string(body, bool(raw)))
import subprocess
client = r"""
import sys
from prometheus_client import CollectorRegistry, Counter, Histogram, Summary, Info, Enum, Gauge
from prometheus_client.exposition import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics
r = CollectorRegistry()
Counter('jobs', 'Jobs done.', ['kind'], registry=r).labels('a"\\\\b\\n').inc(3)
h = Histogram('req_seconds', 'Latency.', ['path'], registry=r, buckets=(0.1, 1))
h.labels('/').observe(0.5)
Summary('sz', 'Size.', registry=r).observe(4)
Info('build', 'Build.', registry=r).info({'version': '1.2'})
Enum('state', 'State.', states=['a', 'b'], registry=r).state('b')
Gauge('temp', 'Temperature.', unit='celsius', registry=r).set(-1.5)
sys.stdout.buffer.write(generate_latest(r) + b"\0" + openmetrics(r))
"""
for python in (ROOT / ".venv/bin/python3", pathlib.Path("/usr/bin/python3")):
    try:
        out = subprocess.run([str(python), "-c", client], capture_output=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        continue
    text, om = out.split(b"\0", 1)
    write("FuzzExposition", b"\x00" + text)
    write("FuzzExposition", b"\x01" + om)
    break
try:
    import socket
    import time
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exporter = subprocess.Popen(["/usr/bin/prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import urllib.request
        for _ in range(50):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            body = None
        if body:
            exposition(body[:16 * 1024].rsplit(b"\n", 1)[0] + b"\n")
    finally:
        exporter.terminate()
        exporter.wait()
except OSError:
    pass
