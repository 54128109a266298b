import importlib.metadata
import importlib.resources

import greet
from wit_world import exports


class Run(exports.Run):
    def run(self) -> None:
        print(greet.hello("wasi"))
        print("versions", importlib.metadata.version("greet"), importlib.metadata.version("Colors"))
        print("requires", importlib.metadata.requires("greet"))
        plugins = importlib.metadata.entry_points(group="greet.plugins")
        print("entry points", sorted(plugins.names), plugins["shout"].load()("hi"))
        data = importlib.resources.files("greet").joinpath("messages/hello.txt")
        print("resource", data.read_text().strip())
        import nsa.plugins.a

        print("namespace", nsa.plugins.a.NAME)
        names = sorted(d.metadata["Name"] for d in importlib.metadata.distributions())
        print("installed", names)
