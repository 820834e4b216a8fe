#!/usr/bin/env python3
"""Summarises two dnsperf runs: the throughput run's totals and the latency run's per-query times (-v lines
"> NOERROR www.cdn.test A 0.000081"), as one block of text and one JSON line."""
import json
import re
import sys


def totals(path):
    text = open(path, encoding="utf-8", errors="replace").read()

    def number(label):
        match = re.search(re.escape(label) + r"\s+([0-9.]+)", text)
        return float(match.group(1)) if match else None

    return {
        "sent": number("Queries sent:"),
        "completed": number("Queries completed:"),
        "lost": number("Queries lost:"),
        "qps": number("Queries per second:"),
        "average_latency_ms": (number("Average Latency (s):") or 0) * 1000,
        "codes": {code: int(count) for code, count in re.findall(r"([A-Z]+) (\d+) \(", text.split("Response codes:", 1)[-1].split("\n", 1)[0])},
    }


def percentiles(path):
    latencies = []
    codes = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        parts = line.split()
        if len(parts) >= 5 and parts[0] == ">" and parts[1] != "T":
            try:
                latencies.append(float(parts[-1]) * 1000)
                codes[parts[1]] = codes.get(parts[1], 0) + 1
            except ValueError:
                pass
    latencies.sort()

    def at(fraction):
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(fraction * len(latencies)))], 3)

    return {"count": len(latencies), "p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99),
            "max_ms": round(latencies[-1], 3) if latencies else None, "codes": codes}


def main():
    throughput = totals(sys.argv[1])
    latency = percentiles(sys.argv[2])
    rate = sys.argv[3] if len(sys.argv) > 3 else "?"
    print(f"throughput: {throughput['qps']:.0f} queries/s "
          f"(sent {throughput['sent']:.0f}, completed {throughput['completed']:.0f}, lost {throughput['lost']:.0f}, "
          f"average latency {throughput['average_latency_ms']:.3f} ms, codes {throughput['codes']})")
    print(f"latency at {rate} queries/s over {latency['count']} queries: p50 {latency['p50_ms']} ms, "
          f"p90 {latency['p90_ms']} ms, p99 {latency['p99_ms']} ms, max {latency['max_ms']} ms, codes {latency['codes']}")
    print("json: " + json.dumps({"throughput": throughput, "latency": latency, "latency_rate": rate}))


if __name__ == "__main__":
    main()
