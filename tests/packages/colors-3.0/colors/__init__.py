def paint(text):
    return '[3.0] ' + text
