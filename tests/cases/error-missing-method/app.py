# Subclassing the generated protocol is optional: classes are looked up by name.
class WitWorld:
    def first(self) -> int:
        return 1
