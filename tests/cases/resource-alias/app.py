from typing import List, cast

import alias1
import wit_world
from wit_world import exports
from wit_world.imports import alias1 as host_alias1
from wit_world.imports import alias2 as host_alias2

# The records of an interface both imported and exported are typed with the imported resource
# (the protocols use the import module's classes); in an export their `thing` is the app's.


def mine(thing: object) -> alias1.Thing:
    assert isinstance(thing, alias1.Thing), thing
    return thing


def host(thing: object) -> host_alias1.Thing:
    assert isinstance(thing, host_alias1.Thing), thing
    return thing


class Alias1(exports.Alias1):
    def a(self, f: host_alias1.Foo) -> List[exports.alias1.Thing]:
        found = host_alias1.a(host_alias1.Foo(thing=mine(f.thing).value))
        return [alias1.wrap(host(t)) for t in found]


class Alias2(exports.Alias2):
    def b(self, f: host_alias2.Foo, g: host_alias1.Foo) -> List[exports.alias1.Thing]:
        found = host_alias2.b(
            host_alias2.Foo(thing=mine(f.thing).value),
            host_alias1.Foo(thing=mine(g.thing).value),
        )
        return [alias1.wrap(host(t)) for t in found]


class Helpers(exports.Helpers):
    def wrap(self, t: exports.alias1.Thing) -> host_alias2.Foo:
        return host_alias2.Foo(thing=cast(host_alias1.Thing, mine(t)))

    def wrap_bar(self, t: exports.alias1.Thing) -> host_alias1.Foo:
        return host_alias1.Foo(thing=cast(host_alias1.Thing, mine(t)))

    def names(self, things: List[exports.alias1.Thing]) -> str:
        return ", ".join(mine(t).get() for t in things)


class WitWorld(wit_world.WitWorld):
    def make(self, s: str) -> List[host_alias1.Thing]:
        return [host_alias1.Thing(s)]

    def describe(self, things: List[host_alias1.Thing]) -> str:
        return ", ".join(host(t).get() for t in things)
