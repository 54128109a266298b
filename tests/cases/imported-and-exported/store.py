from wit_world.exports import store


class Item(store.Item):
    def __init__(self, n: int) -> None:
        self.n = n

    def get(self) -> int:
        return self.n
