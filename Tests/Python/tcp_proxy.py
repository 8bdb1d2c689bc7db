"""A TCP proxy a test controls, for network faults no server can produce on its own.

    tcp_proxy.py --port P --target HOST:PORT --mode-file F [--record FILE]

Forwards every connection on localhost:P to the target. The mode file (re-read every
50 ms) says how: `forward`, or `blackhole` — bytes are read and silently dropped in
both directions and new connections are accepted but never reach the target: a peer
gone without a FIN or RST, as a partitioned node or a stalled middlebox looks; or
`stall`, which blackholes the connections open at that moment but forwards new ones: a
path that died under existing connections (a lost NAT or conntrack entry, a load
balancer's vanished backend) while fresh connections work. Going back to `forward`
resets the connections that lost bytes meanwhile (their streams are broken) and
forwards new ones. Prints "READY <port>" when listening; records one JSON
line per connection (time, mode) when --record is given.
"""
import argparse
import asyncio
import json
import os
import signal
import time


class Proxy:
    def __init__(self, target, mode_file, record):
        self.target = target
        self.mode_file = mode_file
        self.record = record
        self.mode = "forward"
        self.broken = set()   # writers of connections that dropped bytes
        self.open = set()     # writer pairs of the connections being forwarded
        self.stalled = set()  # writers of connections `stall` cut off

    def log(self, **entry):
        if self.record:
            with open(self.record, "a") as file:
                file.write(json.dumps({"time": time.time(), **entry}) + "\n")

    async def watch_mode(self):
        while True:
            try:
                with open(self.mode_file) as file:
                    mode = file.read().strip() or "forward"
            except OSError:
                mode = "forward"
            if mode != self.mode:
                self.mode = mode
                self.log(mode=mode)
                if mode == "stall":
                    for pair in self.open:
                        self.stalled.update(pair)
                if mode == "forward":
                    for writer in list(self.broken):
                        transport = writer.transport
                        if hasattr(transport, "abort"):
                            transport.abort()
                    self.broken.clear()
                    self.stalled.clear()
            await asyncio.sleep(0.05)

    async def pipe(self, reader, writer, pair):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if self.mode == "blackhole" or writer in self.stalled:
                    self.broken.update(pair)
                    continue
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError, OSError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def handle(self, client_reader, client_writer):
        self.log(connection="accepted", mode=self.mode)
        while self.mode == "blackhole":
            # Accepted, never connected onwards: what the client sends goes nowhere.
            self.broken.add(client_writer)
            data = await client_reader.read(65536)
            if not data:
                client_writer.close()
                return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        pair = (client_writer, upstream_writer)
        self.open.add(pair)
        try:
            await asyncio.gather(self.pipe(client_reader, upstream_writer, pair),
                                 self.pipe(upstream_reader, client_writer, pair))
        finally:
            self.open.discard(pair)


async def main():
    # The signal mask is inherited across exec, and the test process's threads block
    # SIGTERM: without this the proxy could not be stopped.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--mode-file", required=True)
    parser.add_argument("--record")
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    proxy = Proxy((host, int(port)), args.mode_file, args.record)
    server = await asyncio.start_server(proxy.handle, "localhost", args.port)
    asyncio.get_running_loop().create_task(proxy.watch_mode())
    print(f"READY {args.port}", flush=True)
    parent = os.getppid()
    async with server:
        while os.getppid() == parent:   # stop with the test that started it
            await asyncio.sleep(0.5)


if __name__ == "__main__":
    asyncio.run(main())
