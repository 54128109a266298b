VALUE = "nspkg.regular.other"
