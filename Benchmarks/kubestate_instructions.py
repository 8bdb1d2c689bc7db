"""Instructions (and calls to malloc) per listed pod: the initial list's cost for A/B
comparisons that the VM's drift cannot blur.

Runs each binary under valgrind's callgrind against the project's fake API server
(as Benchmarks/kubestate_e2e.py does: pods only, node and container collectors off),
once with no objects and once with N synthetic pods, dumps the counts when the agent
is ready, and prints (instructions with the pods - instructions without) / N, and the
same for calls to malloc (the agent runs slower under valgrind, so the list arrives in
smaller pieces than at full speed: a few more allocations than outside it). The
count is repeatable to a few tenths of a percent for the same binary, whatever else
the machine is doing; it weighs every instruction alike, so an atomic reference count
or a cache miss counts as one, and `rep movsb` copies count per byte.

Usage: .venv/bin/python3 Benchmarks/kubestate_instructions.py BINARY [BINARY ...] [--pods N]
       (N defaults to 5000: a minute per binary)
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kubestate_e2e as e2e  # noqa: E402


def malloc_calls(path):
    """Calls to malloc in a callgrind dump (names are compressed: `(id) name` the first
    time an id appears, `(id)` after)."""
    names, callee, total = {}, None, 0
    with open(path) as handle:
        for line in handle:
            match = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
            if match:
                if match.group(2):
                    names[match.group(1)] = match.group(2).strip()
                callee = names.get(match.group(1)) if line.startswith("cfn=") else None
            elif line.startswith("calls=") and callee is not None:
                if callee == "malloc":
                    total += int(line.split("=")[1].split()[0])
                callee = None
    return total


def instructions(binary, cluster, pods, scratch):
    """Instructions the agent ran from start to /readyz against `cluster`, and its
    calls to malloc."""
    # valgrind 3.19 cannot read the debug information Swift's toolchain writes.
    stripped = os.path.join(scratch, "telegen")
    subprocess.run(["strip", "--strip-debug", "-o", stripped, binary], check=True)
    out = os.path.join(scratch, "callgrind.out")
    wrapper = os.path.join(scratch, "telegen-under-callgrind")
    with open(wrapper, "w") as handle:
        handle.write(f'#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file={out} {stripped} "$@"\n')
    os.chmod(wrapper, 0o755)
    options = argparse.Namespace(objects=None, resources="pods", shard=0, total_shards=1, interval=3600, binary=wrapper)
    run = e2e.Run(options, pods, cluster)
    try:
        # Polled slowly: under valgrind the list takes a while, and every /readyz the
        # agent answers counts in the total.
        run.wait_ready(every=0.2)
        for old in glob.glob(out + ".*"):
            os.remove(old)
        subprocess.run(["callgrind_control", "--dump", str(run.agent.pid)], check=True, capture_output=True)
        total, mallocs = 0, 0
        for path in glob.glob(out + ".*"):
            with open(path) as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith(("summary:", "totals:")))
            mallocs += malloc_calls(path)
        return total, mallocs
    finally:
        run.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--pods", type=int, default=5000)
    options = parser.parse_args()
    empty = e2e.Cluster(argparse.Namespace(objects=None), 0)
    full = e2e.Cluster(argparse.Namespace(objects=None), options.pods)
    try:
        for binary in options.binaries:
            with tempfile.TemporaryDirectory(prefix="telegen-instructions-") as scratch:
                without, mallocs_without = instructions(binary, empty, 0, scratch)
                with_pods, mallocs_with = instructions(binary, full, options.pods, scratch)
            print(f"{binary}: {(with_pods - without) / options.pods:,.0f} instructions per pod "
                  f"(start-up without objects {without:,}, with {options.pods} pods {with_pods:,}), "
                  f"{(mallocs_with - mallocs_without) / options.pods:.1f} calls to malloc per pod", flush=True)
    finally:
        empty.stop()
        full.stop()


if __name__ == "__main__":
    main()
