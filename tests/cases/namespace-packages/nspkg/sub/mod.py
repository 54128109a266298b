VALUE = "nspkg.sub.mod"
