"""Clients that misbehave against Telegen's HTTP endpoint, for HTTPAbuseTests.

    http_abuse.py slow-clients --port P --pid PID [--clients 200] [--stalled 100] [--gzip 100]
                               [--rate 300] [--duration 20] [--path /metrics]
    http_abuse.py slowloris --port P [--interval 1] [--limit 60]
    http_abuse.py idle --port P [--path /metrics] [--accept-gzip] [--keep-alive] [--limit 60]
    http_abuse.py cap --port P --hold N --extra M
    http_abuse.py oversize --port P [--header-bytes 100000] [--uri-bytes 1000000]

Each prints one JSON object on stdout and exits 0; the Swift test judges it.

slow-clients opens `clients` connections that each send `GET path` (`gzip` of them
accepting gzip) and then read nothing (`stalled` of them) or `rate` bytes a second,
for `duration` seconds. Meanwhile a thread asks /healthz on a new connection every
200 ms and times the answer (connect to last byte), and another samples the agent's
RSS (/proc/PID/status). Baseline RSS is sampled for a second before the clients start;
probes slower than 200 ms are listed with when they started (`slow_probes`).

slowloris sends a request one byte every `interval` seconds and reports when the
server closed the connection. idle sends `GET path`, never reads, and reports when the
server reset the connection (TCP_INFO's state turns CLOSE), up to `limit` seconds;
with `--keep-alive` it asks /healthz once, reads the answer, and waits for the close.

cap opens `hold` keep-alive connections (each asks /healthz once), then `extra` more,
and reports which of the extra ones the server closed and how fast, whether the held
ones are still served, and the agent's /metrics/self as read over a held connection.

oversize sends a request whose header is too large, one whose request line is too
large, and a GET with a body, and reports each status line and whether the server
closed the connection.
"""
import argparse
import asyncio
import json
import signal
import socket
import struct
import threading
import time

TCP_CLOSE = 7


def rss(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def connect(port, timeout=5):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request(path, extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: telegen\r\n{extra}\r\n".encode()


def read_response(sock, deadline):
    """One response (Content-Length or chunked, or until close): (status, headers, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()

    def more():
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        return chunk

    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(rest) < length:
            rest += more()
        return status, headers, rest[:length]
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                rest += more()
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                rest += more()
            body += rest[:size]
            rest = rest[size + 2:]
            if size == 0:
                return status, headers, body
    body = rest
    while True:
        try:
            body += more()
        except ConnectionError:
            return status, headers, body


def closed_within(sock, seconds):
    """Whether the peer closes (EOF or reset) within `seconds`; data read meanwhile is dropped."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if not sock.recv(65536):
                return True
        except socket.timeout:
            return False
        except OSError:
            return True
    return False


def tcp_state(sock):
    return struct.unpack("B", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1))[0]


# --- slow-clients ---------------------------------------------------------------------

def probe_health(port, stop, results):
    while not stop.is_set():
        started = time.monotonic()
        try:
            with connect(port, timeout=10) as sock:
                sock.sendall(request("/healthz", "Connection: close\r\n"))
                status, _, body = read_response(sock, started + 10)
            results.append({"at": started, "seconds": time.monotonic() - started, "status": status})
        except OSError as error:
            results.append({"at": started, "seconds": time.monotonic() - started, "error": str(error)})
        stop.wait(0.2)


def sample_rss(pid, stop, samples):
    while not stop.is_set():
        samples.append(rss(pid))
        stop.wait(0.25)


async def slow_client(loop, port, path, gzip, rate, until, stats):
    sock = socket.socket()
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, ("127.0.0.1", port))
        extra = "Accept-Encoding: gzip\r\n" if gzip else ""
        await loop.sock_sendall(sock, request(path, extra))
        stats["connected"] += 1
        if rate == 0:
            await asyncio.sleep(max(0, until - time.monotonic()))
            stats["open_at_end"] += tcp_state(sock) != TCP_CLOSE
            return
        received = 0
        while time.monotonic() < until:
            try:
                data = await asyncio.wait_for(loop.sock_recv(sock, rate), timeout=max(0.01, until - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if not data:
                stats["closed_by_server"] += 1
                return
            if received == 0 and data.startswith(b"HTTP/1.1 200"):
                stats["answered"] += 1
            received += len(data)
            await asyncio.sleep(1)
        stats["read_bytes"] += received
        stats["open_at_end"] += 1
    except OSError as error:
        stats["errors"].append(str(error))
    finally:
        sock.close()


async def slow_clients(options):
    loop = asyncio.get_running_loop()
    until = time.monotonic() + options.duration
    stats = {"connected": 0, "answered": 0, "closed_by_server": 0, "open_at_end": 0, "read_bytes": 0, "errors": []}
    tasks = []
    for index in range(options.clients):
        stalled = index < options.stalled
        gzip = index * options.gzip % options.clients < options.gzip  # spread over both kinds
        tasks.append(asyncio.create_task(slow_client(loop, options.port, options.path, gzip, 0 if stalled else options.rate,
                                                     until, stats)))
    await asyncio.gather(*tasks)
    return stats


def run_slow_clients(options):
    baseline = []
    for _ in range(4):
        baseline.append(rss(options.pid))
        time.sleep(0.25)
    stop = threading.Event()
    probes, samples = [], []
    begun = time.monotonic()
    threads = [threading.Thread(target=probe_health, args=(options.port, stop, probes)),
               threading.Thread(target=sample_rss, args=(options.pid, stop, samples))]
    for thread in threads:
        thread.start()
    try:
        stats = asyncio.run(slow_clients(options))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    latencies = sorted(probe["seconds"] for probe in probes)
    return {
        "baseline_rss": max(baseline),
        "peak_rss": max(samples + [0]),
        "probes": len(probes),
        "probe_failures": [probe for probe in probes if probe.get("status") != 200],
        "max_probe_seconds": latencies[-1] if latencies else None,
        "slow_probes": [[round(probe["at"] - begun, 2), round(probe["seconds"], 3)] for probe in probes if probe["seconds"] > 0.2],
        "median_probe_seconds": latencies[len(latencies) // 2] if latencies else None,
        **stats,
    }


# --- slowloris and idle ---------------------------------------------------------------

def run_slowloris(options):
    text = request("/metrics", "User-Agent: slowloris\r\nAccept: */*\r\n") * 4
    sock = connect(options.port)
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < options.limit:
        try:
            sock.send(text[sent % len(text):][:1])
            sent += 1
        except OSError:
            return {"closed_after": time.monotonic() - started, "bytes_sent": sent}
        if closed_within(sock, options.interval):
            return {"closed_after": time.monotonic() - started, "bytes_sent": sent}
    return {"closed_after": None, "bytes_sent": sent}


def run_idle(options):
    sock = connect(options.port)
    started = time.monotonic()
    if options.keep_alive:
        status, _, _ = read_response_after(sock, request("/healthz"))
        started = time.monotonic()
        closed = closed_within(sock, options.limit)
        return {"status": status, "closed_after": time.monotonic() - started if closed else None}
    sock.sendall(request(options.path, "Accept-Encoding: gzip\r\n" if options.accept_gzip else ""))
    while time.monotonic() - started < options.limit:
        if tcp_state(sock) == TCP_CLOSE:
            return {"closed_after": time.monotonic() - started}
        time.sleep(0.05)
    return {"closed_after": None}


def read_response_after(sock, data):
    sock.sendall(data)
    return read_response(sock, time.monotonic() + 10)


# --- cap ------------------------------------------------------------------------------

def run_cap(options):
    held = []
    for _ in range(options.hold):
        sock = connect(options.port)
        status, _, _ = read_response_after(sock, request("/healthz"))
        held.append((sock, status))
    extra = []
    for _ in range(options.extra):
        started = time.monotonic()
        try:
            sock = connect(options.port)
        except ConnectionResetError:
            # The server's reset can reach a loaded client before its connect returns:
            # the connection was closed as soon as it was made.
            extra.append({"closed": True, "seconds": time.monotonic() - started})
            continue
        try:
            sock.sendall(request("/healthz"))
        except OSError:
            pass
        closed = closed_within(sock, 5)
        extra.append({"closed": closed, "seconds": time.monotonic() - started})
        sock.close()
    still_served = []
    for sock, _ in held:
        try:
            status, _, _ = read_response_after(sock, request("/healthz"))
        except OSError as error:
            status = str(error)
        still_served.append(status)
    try:
        _, _, body = read_response_after(held[0][0], request("/metrics/self", "Connection: close\r\n"))
        self_metrics = body.decode()
    except OSError as error:
        self_metrics = f"error: {error}"
    for sock, _ in held:
        sock.close()
    return {"held_first": [status for _, status in held], "extra": extra, "held_later": still_served,
            "self_metrics": self_metrics}


# --- oversize -------------------------------------------------------------------------

def send_and_answer(port, data):
    """Sends as much of `data` as the server takes, then reads its answer."""
    sock = connect(port)
    sent = 0
    try:
        while sent < len(data):
            sent += sock.send(data[sent:sent + 65536])
    except OSError:
        pass
    status = None
    try:
        received = b""
        deadline = time.monotonic() + 5
        while b"\r\n" not in received and time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        if received.startswith(b"HTTP/1.1 "):
            status = int(received.split()[1])
    except OSError:
        pass
    closed = closed_within(sock, 5)
    sock.close()
    return {"status": status, "closed": closed, "sent": sent, "size": len(data)}


def run_oversize(options):
    big_header = request("/healthz", "X-Filler: " + "a" * options.header_bytes + "\r\n")
    long_line = request("/healthz?" + "a" * options.uri_bytes)
    body = b"GET /healthz HTTP/1.1\r\nHost: telegen\r\nContent-Length: 10000000\r\n\r\n" + b"x" * 100000
    return {"header": send_and_answer(options.port, big_header),
            "request_line": send_and_answer(options.port, long_line),
            "body": send_and_answer(options.port, body)}


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["slow-clients", "slowloris", "idle", "cap", "oversize"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--stalled", type=int, default=100)
    parser.add_argument("--gzip", type=int, default=100)
    parser.add_argument("--rate", type=int, default=300)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--path", default="/metrics")
    parser.add_argument("--interval", type=float, default=1)
    parser.add_argument("--limit", type=float, default=60)
    parser.add_argument("--keep-alive", action="store_true")
    parser.add_argument("--accept-gzip", action="store_true")
    parser.add_argument("--hold", type=int, default=4)
    parser.add_argument("--extra", type=int, default=3)
    parser.add_argument("--header-bytes", type=int, default=100_000)
    parser.add_argument("--uri-bytes", type=int, default=1_000_000)
    options = parser.parse_args()
    run = {"slow-clients": run_slow_clients, "slowloris": run_slowloris, "idle": run_idle, "cap": run_cap,
           "oversize": run_oversize}[options.mode]
    print(json.dumps(run(options)), flush=True)


if __name__ == "__main__":
    main()
