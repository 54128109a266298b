from wit_world.imports.files import File, consume, total_size


class WitWorld:
    def run(self) -> str:
        a = File("a.txt")
        b = File.open("b.txt")
        with File("scratch") as scratch:
            scratch_size = scratch.size()
        sizes = total_size([a, b])
        moved = consume(b)
        return f"{a.name()}:{a.size()} total={sizes} scratch={scratch_size} {moved}"
