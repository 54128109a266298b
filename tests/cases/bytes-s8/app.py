from typing import Any, List, Optional

from wit_world import exports
from wit_world.exports.api import Packet
from wit_world.imports import host


class Api(exports.Api):
    def hex(self, data: bytes) -> str:
        assert isinstance(data, bytes), type(data)
        return data.hex()

    def from_hex(self, text: str) -> bytes:
        return bytes.fromhex(text)

    def maybe(self, data: Optional[bytes]) -> Optional[bytes]:
        assert data is None or isinstance(data, bytes), type(data)
        return None if data is None else data + b"\x80"

    def reverse(self, p: Packet) -> Packet:
        assert isinstance(p.payload, bytes) and isinstance(p.tail, list), p
        return Packet(payload=p.payload[::-1], tail=[-x for x in p.tail])

    def aliased(self, data: List[int], more: List[int]) -> List[int]:
        assert isinstance(data, list) and isinstance(more, list), (data, more)
        return data + [x - 256 if x > 127 else x for x in more]

    def fetch_hex(self, n: int) -> str:
        data = host.fetch(n)
        if data is None:
            return "none"
        assert isinstance(data, bytes), type(data)
        return data.hex()

    def send_hex(self, text: str) -> int:
        return host.send(bytes.fromhex(text))

    def keep_hex(self, text: Optional[str]) -> int:
        return host.keep(None if text is None else bytes.fromhex(text))

    def host_signed(self) -> str:
        values = host.signed()
        return f"{type(values).__name__} {values}"

    def wrong_element(self) -> List[int]:
        bad: Any = "two"
        return [1, bad, 3]

    def wrong_field(self) -> Packet:
        bad: Any = None
        return Packet(payload=b"", tail=[1, bad])

    def out_of_range(self) -> List[int]:
        return [1, 200]

    def wrong_argument(self) -> int:
        bad: Any = "not bytes"
        return host.send(bad)
