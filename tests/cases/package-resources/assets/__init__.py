"""A package with data files."""
