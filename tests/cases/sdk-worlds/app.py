# Two libraries that ship WIT, chosen with -m, as in componentize-py's own test: bar_sdk vendors
# foo_sdk's package in its deps and asks for full names, which apply to the interfaces it brings
# in first (bar-interface), not to foo-interface, which foo_sdk brought in before it.
import wit_world
from wit_world import Frame
from wit_world.imports.shapes import Point
from foo_sdk.wit import exports as foo_exports
from foo_sdk.wit.imports.foo_interface import test as foo_test
from bar_sdk.wit import exports as bar_exports
from bar_sdk.wit.imports.foo_interface import test as bar_test


class WitWorld(wit_world.WitWorld):
    def move(self, p: Point, f: Frame) -> Point:
        return Point(x=p.x + f.id, y=p.y - f.id)


class FooInterface(foo_exports.FooInterface):
    def test(self, s: str) -> str:
        return foo_test(f"{s} FooInterface.test")


class BarSdkBarInterface(bar_exports.BarSdkBarInterface):
    def test(self, s: str) -> str:
        return bar_test(f"{s} BarInterface.test")
