import wit_world


class WitWorld(wit_world.WitWorld):
    def fib(self, n: int) -> int:
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        return a

    def try_print(self) -> str:
        try:
            print("this goes nowhere")
            return "printed"
        except OSError as e:
            return f"no stdout: errno {e.errno}"
