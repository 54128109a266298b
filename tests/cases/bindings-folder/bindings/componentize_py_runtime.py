"""Stands in for the componentize-py runtime outside a component.

Inside a component, the runtime's built-in `componentize_py_runtime` module is imported before the
app and this file is never loaded. Host Python (an app's unit tests, an IDE) loads this file
instead, so the generated bindings import and their types work there; calling an imported WIT
function raises `NotImplementedError`.
"""

from typing import Any, Tuple

_OUTSIDE = "imported WIT functions can only be called inside a component (this is host Python)"


def call_import(index: int, args: Tuple[Any, ...]) -> Any:
    raise NotImplementedError(_OUTSIDE)


def drop_resource(resource: int, handle: int) -> None:
    raise NotImplementedError(_OUTSIDE)
