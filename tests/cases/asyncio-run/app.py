import asyncio
import time

from wit_world import exports


async def later(delay: float, value: str) -> str:
    await asyncio.sleep(delay)
    return value


async def main() -> None:
    started = time.monotonic()
    results = await asyncio.gather(later(0.03, "slow"), later(0.01, "fast"), later(0, "now"))
    print("gather:", results)
    task = asyncio.create_task(later(0.01, "task"))
    print("task:", await task)
    try:
        await asyncio.wait_for(later(10, "never"), timeout=0.02)
    except TimeoutError:
        print("wait_for timed out")
    loop = asyncio.get_running_loop()
    fired: list[str] = []
    loop.call_later(0.01, fired.append, "call_later")
    await asyncio.sleep(0.02)
    print("fired:", fired)
    queue: asyncio.Queue[int] = asyncio.Queue()

    async def produce() -> None:
        for i in range(3):
            await queue.put(i)
            await asyncio.sleep(0)

    asyncio.create_task(produce())
    print("queue:", [await queue.get() for _ in range(3)])
    print("slept at least 0.05 s:", time.monotonic() - started >= 0.05)


class Run(exports.Run):
    def run(self) -> None:
        asyncio.run(main())
        # A second loop in the same instance.
        print("again:", asyncio.run(later(0, "second run")))
