# The harness's self-test (tests/host/tests/cases.rs) of what a case gives a command at run time:
# stdin, run-env, run-args and preopen reach WASI, stdout and stderr come back as UTF-8, and
# `run` ends with `err` when FAIL is set.
from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import environment, preopens, stderr, stdin, stdout


class Run(exports.Run):
    def run(self) -> None:
        data = stdin.get_stdin().blocking_read(100)
        env = dict(environment.get_environment())
        lines = [
            f"stdin: {data.decode()}",
            f"args: {environment.get_arguments()}",
            f"GREETING={env.get('GREETING')}",
            f"preopens: {[path for _, path in preopens.get_directories()]}",
        ]
        stdout.get_stdout().blocking_write_and_flush("\n".join(lines).encode() + b"\n")
        stderr.get_stderr().blocking_write_and_flush("ünïcode on stderr\n".encode())
        if "FAIL" in env:
            raise Err(None)
