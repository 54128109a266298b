import io
import locale
import sys

from wit_world import exports

# At build time (pre-init) too: printing non-ASCII must not fail, and Python sees UTF-8.
print("built with héllo, 😀, 中文")
BUILD_TIME = (
    sys.flags.utf8_mode,
    sys.stdout.encoding,
    sys.getfilesystemencoding(),
    locale.getpreferredencoding(),
)


class Run(exports.Run):
    def run(self) -> None:
        print("build time:", BUILD_TIME)
        print(
            "run time:",
            (
                sys.flags.utf8_mode,
                sys.stdout.encoding,
                sys.getfilesystemencoding(),
                locale.getpreferredencoding(),
            ),
        )
        print("stdio:", [(s.encoding, s.errors) for s in (sys.stdin, sys.stdout, sys.stderr)])
        print("locale:", locale.setlocale(locale.LC_CTYPE), locale.getlocale())
        print("café, héllo, 😀, 中文, Ω")
        print("to stderr: café, 😀, 中文", file=sys.stderr)
        sys.stdout.write("written: ñandú\n")
        sys.stdout.buffer.write("raw bytes: ü\n".encode())

        assert isinstance(sys.stdout, io.TextIOWrapper)
        sys.stdout.reconfigure(encoding="ascii", errors="replace")
        print("ascii: é and 中")
        sys.stdout.reconfigure(encoding="utf-8", errors="strict", line_buffering=True)
        print("reconfigured:", sys.stdout.encoding, sys.stdout.errors, sys.stdout.line_buffering)
        print("utf-8 again: é 中")
