from typing import Any, Tuple


def call_import(index: int, args: Tuple[Any, ...]) -> Any: ...


def drop_resource(resource: int, handle: int) -> None: ...
