import os
import time

from wit_world import exports

AT_INIT = (
    time.time(),
    time.monotonic_ns(),
    time.time_ns(),
    os.urandom(6).hex(),
    time.get_clock_info("time").resolution,
)


class Run(exports.Run):
    def run(self) -> None:
        print("init:", *AT_INIT)
        print("run:", time.time() > 1e9, os.urandom(16) != bytes([0x2A] * 16))
