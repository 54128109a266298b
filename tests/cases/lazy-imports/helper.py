def greeting() -> str:
    return "hello from a module imported at run time"
