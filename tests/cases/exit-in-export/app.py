import atexit
import sys

import wit_world


class WitWorld(wit_world.WitWorld):
    def exit_with(self, code: int) -> int:
        atexit.register(print, "atexit after exit-with", code)
        sys.exit(code)

    def exit_message(self, message: str) -> int:
        atexit.register(print, "atexit after exit-message")
        sys.exit(message)

    def answer(self) -> int:
        return 42
