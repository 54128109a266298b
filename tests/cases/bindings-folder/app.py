import sys

from bindings.wit_world import exports


class Greeter(exports.Greeter):
    def greet(self, name: str) -> str:
        return f"hello, {name}, from {exports.__name__}"

    def types_module(self) -> str:
        # A module of the folder first imported at run time.
        assert "bindings.componentize_py_types" not in sys.modules
        import bindings.componentize_py_types as types

        return f"{types.__name__}: {types.Ok(1)}; bindings is {sys.modules['bindings']!r}"
