raise ImportError("greet 2.0 needs a newer Python")
