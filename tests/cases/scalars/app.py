import math
import wit_world


class WitWorld(wit_world.WitWorld):
    def negate(self, b: bool) -> bool:
        return not b

    def wrap_s8(self, x: int) -> int:
        return -x

    def add_u8(self, a: int, b: int) -> int:
        return (a + b) % 256

    def mul_s16(self, a: int, b: int) -> int:
        return a * b

    def half_u16(self, x: int) -> int:
        return x // 2

    def add_s32(self, a: int, b: int) -> int:
        return a + b

    def add_u32(self, a: int, b: int) -> int:
        return a + b

    def add_s64(self, a: int, b: int) -> int:
        return a + b

    def max_u64(self) -> int:
        return 2**64 - 1

    def scale_f32(self, x: float, by: float) -> float:
        return x * by

    def sqrt_f64(self, x: float) -> float:
        return math.sqrt(x)

    def next_char(self, c: str) -> str:
        return chr(ord(c) + 1)

    def shout(self, s: str) -> str:
        return s.upper() + "!"
