from sdk.bindings.imports import a


def use_a() -> int:
    return a.ping()


def use_b() -> int:
    from sdk.bindings.imports import b

    return b.pong()
