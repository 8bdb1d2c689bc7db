"""Running a test peer's HTTP server until the test stops it, shared by the peers that
serve with the standard library's ThreadingHTTPServer.

Tests start peers from a process whose signal mask blocks SIGTERM and SIGINT (the Swift
test runner's threads inherit it), so a peer unblocks them before anything else; it then
prints "READY <port>" once serving, which is what the test waits for, and stops on
either signal.
"""
import signal
import threading


def unblock_stop_signals():
    """Lets SIGTERM and SIGINT reach this process; call first thing in main()."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})


def serve_until_stopped(server, port):
    """Serves `server` on a thread, announces "READY <port>" and returns after SIGTERM/SIGINT."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {port}", flush=True)
    stop.wait()
    server.shutdown()
