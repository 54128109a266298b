import importlib.metadata

import colors
import greet
from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        print(greet.hello("wasi"))
        print(colors.paint("versions"), importlib.metadata.version("greet"))
