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
