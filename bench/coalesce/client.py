#!/usr/bin/env python3
"""The coalescing benchmark's client: N connections, all open first, then one GET each released at once.

bench/coalesce/run.sh runs it once per round and system. It spreads the clients evenly over the given ports
(client i goes to ports[i % len(ports)]), opens every connection, and only when all are open writes the request
on each of them in one pass. Every client reads its whole response (Content-Length or chunked) and records its
status, body bytes and completion time (seconds since the release). No third-party packages: asyncio with a
BufferedProtocol per connection, so reading 1 GiB costs little more than the kernel's copies and the client
stays out of the way of the servers it measures.

Output:
  --samples FILE   one line per client: "index port status body_bytes seconds error" (error "-" when none)
  stdout           one summary line, parsed by bench/coalesce/lib.sh (parse_coalesce):
                   coalesce: clients=N ok=K errors=E last=S p50=S p99=S connect=S first_error="..."
                   last is the time until the last client had its whole body (over every client that finished,
                   ok or not), p50/p99 the completion percentiles over the ok clients; "nan" when there are none.
A client is ok when its status is 200 and its body is exactly --expect-bytes long.
Exit status 0 when the run completed (even with bad responses: the report shows them), 2 on bad arguments.
"""

import argparse
import asyncio
import math
import sys
import time

HEAD_LIMIT = 64 * 1024
READ_BUFFER = 256 * 1024


class Client(asyncio.BufferedProtocol):
    """One connection and one request; a small state machine over the response bytes."""

    def __init__(self, index, port, done):
        self.index = index
        self.port = port
        self.done = done
        self.transport = None
        self.buffer = bytearray(READ_BUFFER)
        self.head = bytearray()
        self.state = "head"          # head, length, chunk-size, chunk-data, chunk-crlf, trailer, close, done
        self.line = bytearray()      # a chunk-size line or trailer line being collected
        self.remaining = 0
        self.status = 0
        self.body_bytes = 0
        self.error = None
        self.released = 0.0
        self.seconds = math.nan

    # --- asyncio callbacks -----------------------------------------------------------------------------------

    def connection_made(self, transport):
        self.transport = transport

    def get_buffer(self, sizehint):
        return self.buffer

    def buffer_updated(self, nbytes):
        if self.state == "done":
            return
        try:
            self.consume(memoryview(self.buffer)[:nbytes])
        except ValueError as problem:
            self.finish(str(problem))

    def eof_received(self):
        if self.state == "close":
            self.finish(None)
        elif self.state != "done":
            self.finish(f"connection closed in state {self.state} after {self.body_bytes} body bytes")
        return False

    def connection_lost(self, exc):
        if self.state != "done":
            self.finish(f"connection lost in state {self.state}: {exc}")

    # --- the response -----------------------------------------------------------------------------------------

    def consume(self, data):
        while len(data) and self.state != "done":
            if self.state == "head":
                data = self.consume_head(data)
            elif self.state in ("length", "chunk-data", "close"):
                take = len(data) if self.state == "close" else min(len(data), self.remaining)
                self.body_bytes += take
                data = data[take:]
                if self.state == "close":
                    continue
                self.remaining -= take
                if self.remaining == 0:
                    if self.state == "length":
                        self.finish(None)
                    else:
                        self.state = "chunk-crlf"
                        self.remaining = 2
            elif self.state == "chunk-crlf":
                take = min(len(data), self.remaining)
                data = data[take:]
                self.remaining -= take
                if self.remaining == 0:
                    self.state = "chunk-size"
            elif self.state in ("chunk-size", "trailer"):
                data = self.consume_line(data)

    def consume_head(self, data):
        self.head += data
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            if len(self.head) > HEAD_LIMIT:
                raise ValueError("response head larger than 64 KiB")
            return data[len(data):]
        rest = memoryview(bytes(self.head[end + 4:]))
        lines = bytes(self.head[:end]).decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise ValueError(f"bad status line {lines[0][:80]!r}")
        self.status = int(parts[1])
        length = None
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            value = value.strip()
            if name == "content-length":
                if not value.isdigit():
                    raise ValueError(f"bad Content-Length {value[:40]!r}")
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            self.state = "chunk-size"
        elif length is not None:
            self.remaining = length
            self.state = "length"
            if length == 0:
                self.finish(None)
        else:
            self.state = "close"
        return rest

    def consume_line(self, data):
        newline = bytes(data[:4096]).find(b"\n")
        if newline < 0:
            self.line += data
            if len(self.line) > 4096:
                raise ValueError("chunk-size or trailer line longer than 4 KiB")
            return data[len(data):]
        self.line += data[:newline]
        text = bytes(self.line).decode("latin-1").strip()
        self.line = bytearray()
        if self.state == "trailer":
            if text == "":
                self.finish(None)
            return data[newline + 1:]
        size_text = text.split(";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ValueError(f"bad chunk size {size_text[:40]!r}") from None
        if size == 0:
            self.state = "trailer"
        else:
            self.state = "chunk-data"
            self.remaining = size
        return data[newline + 1:]

    def finish(self, error):
        if self.state == "done":
            return
        self.state = "done"
        self.error = error
        # A client that never got to send (its connect failed) has no completion time.
        self.seconds = time.perf_counter() - self.released if self.released else math.nan
        if self.transport is not None:
            self.transport.close()
        self.done(self)


def percentile(values, p):
    """Nearest rank, as bench/lib/common.sh's percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def fmt(seconds):
    return "nan" if math.isnan(seconds) else f"{seconds:.6f}"


async def run(args):
    loop = asyncio.get_running_loop()
    pending = args.clients
    all_done = loop.create_future()

    def done(_client):
        nonlocal pending
        pending -= 1
        if pending == 0 and not all_done.done():
            all_done.set_result(None)

    clients = []
    connect_started = time.perf_counter()

    async def connect(index):
        port = args.ports[index % len(args.ports)]
        client = Client(index, port, done)
        clients.append(client)
        try:
            await asyncio.wait_for(
                loop.create_connection(lambda: client, "127.0.0.1", port), timeout=args.timeout)
        except (OSError, asyncio.TimeoutError) as problem:
            client.finish(f"connect failed: {problem!r}")

    # Connect in batches: a thousand SYNs at once can overflow a listener's backlog on a busy machine.
    for start in range(0, args.clients, 100):
        await asyncio.gather(*(connect(i) for i in range(start, min(start + 100, args.clients))))
    connect_seconds = time.perf_counter() - connect_started

    released = time.perf_counter()
    for client in clients:
        client.released = released
        if client.state == "head" and client.transport is not None:
            request = (f"GET {args.path} HTTP/1.1\r\nHost: {args.host or f'127.0.0.1:{client.port}'}\r\n"
                       f"User-Agent: edge-bench-coalesce\r\nAccept: */*\r\n\r\n")
            client.transport.write(request.encode("latin-1"))
    try:
        await asyncio.wait_for(all_done, timeout=args.timeout)
    except asyncio.TimeoutError:
        for client in clients:
            client.finish(f"no complete response within {args.timeout}s ({client.body_bytes} body bytes)")

    ok = [c for c in clients if c.error is None and c.status == 200 and c.body_bytes == args.expect_bytes]
    bad = [c for c in clients if c not in ok]
    finished = [c.seconds for c in clients if not math.isnan(c.seconds)]
    ok_seconds = [c.seconds for c in ok]
    first_error = ""
    if bad:
        c = sorted(bad, key=lambda c: c.index)[0]
        first_error = (f"client {c.index} port {c.port}: status {c.status}, {c.body_bytes} bytes"
                       + (f", {c.error}" if c.error else ""))
    if args.samples:
        with open(args.samples, "w") as out:
            for c in sorted(clients, key=lambda c: c.index):
                error = (c.error or "-").replace("\n", " ")
                out.write(f"{c.index} {c.port} {c.status} {c.body_bytes} {fmt(c.seconds)} {error}\n")
    print(f"coalesce: clients={args.clients} ok={len(ok)} errors={len(bad)} "
          f"last={fmt(max(finished) if finished else math.nan)} p50={fmt(percentile(ok_seconds, 50))} "
          f"p99={fmt(percentile(ok_seconds, 99))} connect={fmt(connect_seconds)} "
          f"first_error=\"{first_error.replace(chr(34), chr(39))}\"")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", required=True, help="comma-separated ports on 127.0.0.1, e.g. 18281,18282")
    parser.add_argument("--path", required=True, help="request target, e.g. /bench/coalesce/r1-edge.bin")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--expect-bytes", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for connecting and for the responses")
    parser.add_argument("--host", default="", help="Host header (default 127.0.0.1:<port>)")
    parser.add_argument("--samples", default="", help="file for the per-client lines")
    args = parser.parse_args()
    try:
        args.ports = [int(p) for p in args.ports.split(",") if p]
    except ValueError:
        parser.error("--ports must be numbers separated by commas")
    if not args.ports or args.clients < 1 or args.expect_bytes < 0:
        parser.error("need at least one port, one client and a non-negative --expect-bytes")
    asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
