NAME = "nspkg.regular"
