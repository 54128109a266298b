VALUE = "nspkg.from_extra (second -p entry)"
