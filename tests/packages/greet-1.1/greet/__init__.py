def hello(name):
    return f"hello from the yanked 1.1, {name}"
