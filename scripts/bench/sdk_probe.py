"""Baseline for scripts/bench_probe.sh: probe a stdio MCP server N times with
the official Python SDK (stdio_client + ClientSession.initialize + list_tools),
C at once, and print throughput as JSON.

usage: sdk_probe.py N C COMMAND [ARGS...]
"""

import asyncio
import json
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def one(params: StdioServerParameters) -> int:
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            return len(tools.tools)


async def main() -> None:
    n, c = int(sys.argv[1]), int(sys.argv[2])
    params = StdioServerParameters(command=sys.argv[3], args=sys.argv[4:])
    sem = asyncio.Semaphore(c)
    ok = 0

    async def guarded() -> None:
        nonlocal ok
        async with sem:
            if await one(params) > 0:
                ok += 1

    start = time.perf_counter()
    await asyncio.gather(*(guarded() for _ in range(n)))
    secs = time.perf_counter() - start
    print(json.dumps({"probes": n, "concurrency": c, "ok": ok, "elapsed_s": secs,
                      "probes_per_s": n / secs, "ms_per_probe_wall": secs * 1000 / n}))


if __name__ == "__main__":
    asyncio.run(main())
