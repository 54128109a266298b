def paint(text):
    return '[2.0] ' + text
