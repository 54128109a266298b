import os

from wit_world import exports

DIR = "/data"


class Run(exports.Run):
    def run(self) -> None:
        # open() defaults to UTF-8 for text, and file names are UTF-8 on the WASI side.
        name = os.path.join(DIR, "fïché 中文 😀.txt")
        with open(name, "w") as f:
            print("default encoding:", f.encoding)
            f.write("contenu: é, 中文, 😀\n")
        print("listdir:", os.listdir(DIR))
        print("bytes listdir:", os.listdir(os.fsencode(DIR)))
        with open(name) as f:
            print("read back:", f.read().rstrip())
        with open(name, "rb") as f:
            print("raw:", f.read())
        os.mkdir(os.path.join(DIR, "répertoire"))
        os.rename(name, os.path.join(DIR, "répertoire", "déplacé.txt"))
        print("walk:", sorted((root, files) for root, _, files in os.walk(DIR)))
        print("exists:", os.path.exists(os.path.join(DIR, "répertoire", "déplacé.txt")))
