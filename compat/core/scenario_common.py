"""Shared by the Python scenarios in compat/core: one PASS/FAIL line on stdout,
details on stderr, current step in $COMPAT_WORK/step, and a watchdog that turns a
hang into a FAIL naming the step (the shell wrapper's `timeout` is the hard backstop)."""
import os
import signal
import sys
import time
import traceback


class Failed(Exception):
    pass


class Scenario:
    def __init__(self, label):
        self.label = label
        self.current = "start"
        self.work = os.environ.get("COMPAT_WORK")
        self.deadline_s = int(os.environ.get("COMPAT_DEADLINE_S", os.environ.get("SCENARIO_TIMEOUT_S", "120")))

    def log(self, msg):
        sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), msg))
        sys.stderr.flush()

    def step(self, name):
        self.current = name
        self.log("== " + name)
        if self.work:
            with open(os.path.join(self.work, "step"), "w") as f:
                f.write(name + "\n")

    def check(self, cond, msg):
        if not cond:
            raise Failed(msg)

    def wait_for(self, what, fn, timeout_s=20.0, interval_s=0.25):
        """Polls fn() until it returns a truthy value; fails naming `what` after timeout_s."""
        end = time.monotonic() + timeout_s
        last_err = None
        while time.monotonic() < end:
            try:
                v = fn()
                if v:
                    return v
            except Failed:
                raise
            except Exception as e:  # client errors while the broker catches up
                last_err = e
            time.sleep(interval_s)
        raise Failed("%s not reached within %.0fs%s" % (what, timeout_s, "" if last_err is None else " (last error: %r)" % (last_err,)))

    def _alarm(self, signum, frame):
        raise Failed("timed out after ~%ds" % self.deadline_s)

    def run(self, body):
        """Runs body(self) -> summary; prints the single PASS/FAIL line, returns the exit status."""
        signal.signal(signal.SIGALRM, self._alarm)
        signal.alarm(max(1, self.deadline_s - 4))
        try:
            summary = body(self)
        except Failed as e:
            signal.alarm(0)
            self.log("FAILED in step %r: %s" % (self.current, e))
            print("FAIL %s: %s (step: %s)" % (self.label, e, self.current), flush=True)
            return 1
        except BaseException as e:  # noqa: B902 - any client exception is a scenario failure
            signal.alarm(0)
            traceback.print_exc()
            print("FAIL %s: %s: %s (step: %s)" % (self.label, type(e).__name__, str(e).strip()[:300], self.current), flush=True)
            return 1
        signal.alarm(0)
        print("PASS %s: %s" % (self.label, summary), flush=True)
        return 0
