VALUE = "nspkg.lazy.deep.late"
