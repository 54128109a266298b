import sys

import wit_world


class WitWorld(wit_world.WitWorld):
    def use_json(self, text: str) -> str:
        # Neither json nor its dependencies are imported at build time.
        assert "json" not in sys.modules
        import json
        return json.dumps(json.loads(text), sort_keys=True)

    def use_fractions(self, numerator: int, denominator: int) -> str:
        # A module bundled as source: compiled when first imported, here at run time. Its
        # tracebacks show its source lines.
        import fractions
        return str(fractions.Fraction(numerator, denominator))

    def use_helper(self) -> str:
        # The app's own module, first imported at run time.
        import helper
        return helper.greeting()
