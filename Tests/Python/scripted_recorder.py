"""What the test receivers share: the scripted answers, one per call in order, and the
JSON-lines record of every call, both safe from the servers' threads."""
import json
import threading


class Recorder:
    def __init__(self, path, script, summary=False):
        self.path = path
        self.script = script
        # Counts only, for benchmarks that send millions of points.
        self.summary = summary
        self.lock = threading.Lock()
        self.calls = 0

    def next_behaviour(self):
        """The call's number and its scripted answer ("ok" past the end of the script)."""
        with self.lock:
            behaviour = self.script[self.calls] if self.calls < len(self.script) else "ok"
            self.calls += 1
            return self.calls, behaviour

    def record(self, entry):
        with self.lock:
            with open(self.path, "a") as handle:
                handle.write(json.dumps(entry) + "\n")
                handle.flush()
