from wit_world.exports import alias1
from wit_world.imports.alias1 import Thing as HostThing


class Thing(alias1.Thing):
    def __init__(self, s: str) -> None:
        self.value = HostThing(s + " init")

    def get(self) -> str:
        return self.value.get() + " get"


def wrap(thing: HostThing) -> Thing:
    mine = Thing.__new__(Thing)
    mine.value = thing
    return mine
