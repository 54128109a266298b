def hello(name):
    try:
        import colors
    except ImportError:
        return f"hello, {name}"
    return colors.paint(f"hello, {name}")


def shout(text):
    return text.upper() + "!"
