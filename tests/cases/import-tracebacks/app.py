import traceback

import wit_world


def frames(error: BaseException) -> str:
    """The traceback's frames (file, function, source line) and the error, without the
    version-dependent caret lines."""
    lines = [f"{f.filename} {f.name} {f.line}" for f in traceback.extract_tb(error.__traceback__)]
    lines.append(f"{type(error).__name__}: {error}")
    return "\n".join(lines)


def import_error(name: str) -> str:
    try:
        __import__(name)
    except Exception as error:
        return frames(error)
    return "imported"


# At build time too.
AT_BUILD = import_error("broken.at_import")


class WitWorld(wit_world.WitWorld):
    def import_error(self, name: str) -> str:
        return import_error(name)

    def at_build_time(self) -> str:
        return AT_BUILD

    def stdlib_error(self) -> str:
        import json

        try:
            json.loads("{")
        except ValueError as error:
            # Function and file names only: line numbers change between Python versions.
            return "\n".join(
                f"{f.filename} {f.name}" for f in traceback.extract_tb(error.__traceback__)
            )
        return "parsed"
