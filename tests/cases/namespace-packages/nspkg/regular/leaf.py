VALUE = "nspkg.regular.leaf"
