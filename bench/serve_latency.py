#!/usr/bin/env python3
"""Measures `tessera serve` edit-to-reload latency (stdlib only).

Subscribes to the server's Server-Sent Events stream (default `/__tessera/events`), then
edits one content file N times. For each edit it measures the time from the file write to
the first `event: reload` line that arrives after it, and prints the median. With `--pid`
(on Linux) it also prints the server's CPU time per edit, user plus system from
/proc/PID/stat, counted from before the first edit until the last edit's work is done (its
reload and then `--settle` quiet seconds). Run the server with RAYON_NUM_THREADS=1 for the
work alone (without rayon's workers waiting busily); that divided by the cores is the floor
under the latency. The file is restored to its original text at the end.

    python3 bench/serve_latency.py --port 4123 --file DIR/content/case-studies/case-00001.md
    python3 bench/serve_latency.py --port 4123 --file ... --edit title

The kind of edit (`--edit`):
  body          appends a word to the Markdown body (the default)
  title         appends a word to the front matter's `title:` (shown in every list)
  front-matter  appends a word to the front matter's `summary:`
  locator       changes the page of the first finding's `locator: "p. N"`, a citation the
                review did not make before (formatted again with the bibliography)

Exit status: 0 on success, 1 if the server never answered or a reload never came.
"""

import argparse
import http.client
import os
import queue
import re
import statistics
import sys
import threading
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/__tessera/events", help="SSE endpoint")
    p.add_argument("--file", required=True, help="content file to edit")
    p.add_argument("--edits", type=int, default=10)
    p.add_argument("--edit", choices=["body", "title", "front-matter", "locator"], default="body",
                   help="what each edit changes (see above)")
    p.add_argument("--pid", type=int, help="the server's process id: stop waiting if it exits")
    p.add_argument("--startup-timeout", type=float, default=300.0,
                   help="seconds to wait for the server to accept the SSE connection")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds to wait for one reload event")
    p.add_argument("--settle", type=float, default=0.5,
                   help="quiet seconds before each edit, so stray events drain")
    return p.parse_args()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def connect(args):
    """Opens the SSE stream, retrying until the server is up. Returns the response."""
    deadline = time.monotonic() + args.startup_timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(args.host, args.port, timeout=None)
            conn.request("GET", args.path, headers={"Accept": "text/event-stream"})
            response = conn.getresponse()
            if response.status == 200:
                return response
            last_error = f"HTTP {response.status} from {args.path}"
            conn.close()
        except OSError as err:
            last_error = err
        if args.pid and not alive(args.pid):
            sys.exit(f"serve latency: the server (pid {args.pid}) exited before it answered")
        time.sleep(0.2)
    sys.exit(f"serve latency: no SSE stream at http://{args.host}:{args.port}{args.path}"
             f" after {args.startup_timeout:.0f}s ({last_error})")


def read_events(response, events):
    """Puts (arrival time, line) for every SSE line into `events` until the stream ends."""
    try:
        for raw in response:
            events.put((time.perf_counter(), raw.decode("utf-8", "replace").rstrip("\r\n")))
    except (OSError, http.client.HTTPException):
        pass
    events.put((time.perf_counter(), None))


def drain(events, quiet):
    """Discards events until none has arrived for `quiet` seconds."""
    while True:
        try:
            _, line = events.get(timeout=quiet)
        except queue.Empty:
            return
        if line is None:
            sys.exit("serve latency: the server closed the event stream")


def wait_for_reload(events, since, timeout):
    """Seconds from `since` to the first `event: reload` line after it, or None."""
    deadline = since + timeout
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return None
        try:
            at, line = events.get(timeout=remaining)
        except queue.Empty:
            return None
        if line is None:
            sys.exit("serve latency: the server closed the event stream")
        if at >= since and line.strip() == "event: reload":
            return at - since


def cpu_seconds(pid):
    """User plus system CPU seconds of process `pid` so far, or None where /proc has none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces: count fields after it.
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def edited(original, kind, i):
    """The file's text after edit number `i` of the given kind."""
    word = f"benchmark{i}"
    if kind == "body":
        return original + f" {word}\n"
    if kind == "locator":
        pattern = re.compile(r'^(\s*locator: "p\. )\d+(")$', re.MULTILINE)
        text, count = pattern.subn(rf"\g<1>{7000 + i}\2", original, count=1)
        if count != 1:
            sys.exit('serve latency: no `locator: "p. N"` line in the front matter to edit')
        return text
    key = "title" if kind == "title" else "summary"
    pattern = re.compile(rf'^({key}: "[^"\n]*?)(")$', re.MULTILINE)
    text, count = pattern.subn(rf"\1 {word}\2", original, count=1)
    if count != 1:
        sys.exit(f"serve latency: no double-quoted `{key}:` line in the front matter to edit")
    return text


def measure(args, events):
    """The latency of each edit, and the server's CPU seconds over all of them (or None)."""
    latencies = []
    cpu = cpu_before = None
    with open(args.file, encoding="utf-8") as f:
        original = f.read()
    try:
        for i in range(args.edits):
            drain(events, args.settle)
            if i == 0 and args.pid:
                cpu_before = cpu_seconds(args.pid)
            text = edited(original, args.edit, i)
            start = time.perf_counter()
            with open(args.file, "w", encoding="utf-8") as f:
                f.write(text)
            latency = wait_for_reload(events, start, args.timeout)
            if latency is None:
                print(f"serve latency: no reload within {args.timeout:.0f}s of edit {i + 1}")
                return None, None
            latencies.append(latency)
        if args.pid and cpu_before is not None:
            # Work after the reload (freeing the last site) belongs to the edit too.
            drain(events, args.settle)
            cpu_after = cpu_seconds(args.pid)
            cpu = None if cpu_after is None else cpu_after - cpu_before
    finally:
        start = time.perf_counter()
        with open(args.file, "w", encoding="utf-8") as f:
            f.write(original)
        # Wait for the rebuild the restore causes, so that a run started right after this
        # one does not take its reload for its own.
        wait_for_reload(events, start, args.timeout)
    return latencies, cpu


def main():
    args = parse_args()
    response = connect(args)
    events = queue.Queue()
    threading.Thread(target=read_events, args=(response, events), daemon=True).start()
    latencies, cpu = measure(args, events)
    if not latencies:
        return 1
    ms = [1000 * x for x in latencies]
    cpu_note = "" if cpu is None else f"; server CPU {1000 * cpu / len(ms):.0f} ms per edit"
    print(f"serve latency ({args.edit} edit): median {statistics.median(ms):.0f} ms "
          f"(min {min(ms):.0f}, max {max(ms):.0f}) over {len(ms)} edits{cpu_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
