# SPDX-License-Identifier: GPL-2.0
"""Running mintmon from the integration tests: the Fail exception every check
raises, and Tool, one target.

    tool = Tool("build/bin/mintmon", "file:/dev/shm/...")
    out = tool.run("syms")              # stdout bytes; Fail unless exit 0
    obj = tool.json("ps", "--json")     # parsed; Fail on bad JSON
    r = tool.result("vread", "x", "8")  # Result: rc, out, err lines, seconds, crash
"""
import json
import subprocess
import time

MAX_DETAILS = 15
TOOL_TIMEOUT = 120
# Sanitizer reports (the binary may be built with them) and other crash marks.
CRASH_MARKS = ("Sanitizer", "runtime error", "Segmentation fault", "core dumped")


class Fail(Exception):
    def __init__(self, summary, details=()):
        super().__init__(summary)
        self.summary, self.details = summary, list(details)


def limit(details, n=MAX_DETAILS):
    details = list(details)
    if len(details) > n:
        return details[:n] + ["... and %d more" % (len(details) - n)]
    return details


class Result:
    """One mintmon run. rc is None after a timeout; crash says why it counts
    as a crash (a signal, a sanitizer report), or None."""

    def __init__(self, args, rc, out, err, seconds):
        self.args, self.rc, self.out, self.seconds = args, rc, out, seconds
        self.err_text = err.decode(errors="replace")
        self.err = [ln for ln in self.err_text.strip().splitlines()]
        self.crash = None
        if rc is not None and rc < 0:
            self.crash = "killed by signal %d" % -rc
        else:
            for mark in CRASH_MARKS:
                if mark in self.err_text:
                    self.crash = "stderr has %r: %s" % (mark, next(
                        (ln for ln in self.err if mark in ln), "")[:160])
                    break

    @property
    def timeout(self):
        return self.rc is None

    def clean_failure(self):
        """Exit 1 with exactly one line on stderr: the contract for a failure."""
        return self.rc == 1 and len(self.err) == 1 and not self.crash

    def describe(self):
        what = "`mintmon %s`" % " ".join(self.args)
        if self.timeout:
            return "%s did not finish in time" % what
        if self.crash:
            return "%s crashed: %s" % (what, self.crash)
        return "%s exited %d: %s" % (what, self.rc, self.err[-1] if self.err else "(no stderr)")


class Tool:
    def __init__(self, path, target):
        self.path, self.target = path, target

    def result(self, *args, timeout=TOOL_TIMEOUT):
        cmd = [self.path, "-t", self.target] + list(args)
        t0 = time.monotonic()
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, timeout=timeout)
        except FileNotFoundError:
            raise Fail("cannot run %s (not built?)" % self.path)
        except subprocess.TimeoutExpired as e:
            return Result(list(args), None, e.stdout or b"", e.stderr or b"",
                          time.monotonic() - t0)
        return Result(list(args), r.returncode, r.stdout, r.stderr, time.monotonic() - t0)

    def run(self, *args):
        r = self.result(*args)
        if r.timeout:
            raise Fail("`%s` did not finish in %ds" % (" ".join(args), TOOL_TIMEOUT))
        if r.rc != 0 or r.crash:
            raise Fail(r.describe())
        return r.out

    def json(self, *args):
        out = self.run(*args)
        try:
            return json.loads(out)
        except ValueError as e:
            raise Fail("`mintmon %s` printed invalid JSON: %s" % (" ".join(args), e))
