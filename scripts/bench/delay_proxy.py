#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that adds a one-way delay to every byte in both directions
(so a round trip costs twice the delay), keeping order: a stand-in for `tc netem delay`
where the kernel has no sch_netem (scripts/bench/latency.sh uses it).

    delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS
"""
import asyncio
import sys


async def pipe(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def forward():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    task = asyncio.create_task(forward())
    try:
        while True:
            data = await reader.read(1 << 20)
            if not data:
                break
            await queue.put((loop.time() + delay, data))
    finally:
        await queue.put((0, None))
        await task


async def main(listen, target, delay):
    async def handle(cr, cw):
        tr, tw = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(pipe(cr, tw, delay), pipe(tr, cw, delay), return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print(f"delay proxy 127.0.0.1:{listen} -> 127.0.0.1:{target}, {delay * 1000:.1f} ms each way", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000.0))
