# SPDX-License-Identifier: GPL-2.0
"""The kernel log: `mintmon dmesg` against the guest's own /dev/kmsg.

    dmesg   every record the guest's /dev/kmsg had when it sent its truth is
            in `dmesg --json` with the same sequence number, level, facility,
            timestamp (to the microsecond /dev/kmsg gives), continuation flag
            and text, and nothing else up to the last of them; the plain
            `dmesg` prints them as the guest's syslog interface (busybox
            dmesg) does: "[%5lu.%06lu] " before each line of a record
"""
import json

from mmtool import Fail, limit


def kmsg_truth(truth):
    recs = truth.kmsg()
    if not recs:
        raise Fail("no /dev/kmsg in the truth: %r" % truth.sections.get("kmsg", b"")[:80])
    return recs


def compare_records(got, want):
    """Problems between mintmon's records (dicts from --json) and /dev/kmsg's,
    over the sequence numbers /dev/kmsg covers."""
    bad = []
    by_seq = {}
    for i, o in enumerate(got):
        if not isinstance(o, dict) or not isinstance(o.get("seq"), int):
            bad.append("element %d is not a record: %r" % (i, o))
            continue
        if o["seq"] in by_seq:
            bad.append("seq %d listed twice" % o["seq"])
        by_seq[o["seq"]] = o
    first, last = want[0]["seq"], want[-1]["seq"]
    for w in want:
        o = by_seq.get(w["seq"])
        if o is None:
            bad.append("seq %d missing: %r" % (w["seq"], w["text"][:60]))
            continue
        text = o.get("text", "")
        want_text = w["text"].decode("utf-8", "surrogateescape")
        for k, g, e in (("level", o.get("level"), w["level"]),
                        ("facility", o.get("facility"), w["facility"]),
                        ("ts_usec", o.get("ts_nsec", -1000) // 1000, w["ts_usec"]),
                        ("cont", o.get("cont"), w["cont"]),
                        ("text", text, want_text)):
            if g != e:
                bad.append("seq %d %s: expected %r, got %r" % (
                    w["seq"], k, e if k != "text" else e[:80], g if k != "text" else g[:80]))
    want_seqs = {w["seq"] for w in want}
    extra = sorted(s for s in by_seq if first <= s <= last and s not in want_seqs)
    if extra:
        bad.append("%d records /dev/kmsg did not have, first seq %d" % (len(extra), extra[0]))
    return bad


def check_dmesg(tool, truth):
    want = kmsg_truth(truth)
    got = tool.json("dmesg", "--json")
    if not isinstance(got, list):
        raise Fail("dmesg --json is not an array")
    bad = compare_records(got, want)
    # The plain form: each line of each record after its timestamp.
    lines = tool.run("dmesg").decode("utf-8", "surrogateescape").splitlines()
    expect = []
    for w in want:
        ts = "[%5d.%06d] " % (w["ts_usec"] // 1000000, w["ts_usec"] % 1000000)
        expect += [ts + part for part in w["text"].decode("utf-8", "surrogateescape")
                   .split("\n")]
    first_ts = "[%5d.%06d] " % (want[0]["ts_usec"] // 1000000, want[0]["ts_usec"] % 1000000)
    start = next((i for i, ln in enumerate(lines) if ln.startswith(first_ts)), None)
    if start is None:
        bad.append("plain dmesg: no line starts with the first record's %r" % first_ts)
    else:
        for i, e in enumerate(expect):
            g = lines[start + i] if start + i < len(lines) else "(end of output)"
            if g != e:
                bad.append("plain dmesg line %d: expected %r, got %r" % (start + i + 1, e[:90],
                                                                        g[:90]))
                break
    if bad:
        raise Fail("%d problems over %d records (seq %d-%d)" % (
            len(bad), len(want), want[0]["seq"], want[-1]["seq"]), limit(bad))
    return "%d records (seq %d-%d) equal /dev/kmsg: level, facility, time, flags, text; " \
        "%d plain lines" % (len(want), want[0]["seq"], want[-1]["seq"], len(expect))


def live_dmesg_verifier(truth):
    """For the live rounds: the records the truth saw are still there, the same."""
    want = kmsg_truth(truth)

    def verify(out):
        got = json.loads(out)
        if not isinstance(got, list):
            return ["dmesg --json: not an array"]
        # The ring may have moved on past the oldest ones under the load: only
        # those still in it are compared.
        oldest = min((o.get("seq", 0) for o in got if isinstance(o, dict)), default=0)
        still = [w for w in want if w["seq"] >= oldest]
        return compare_records(got, still) if still else []
    return verify
