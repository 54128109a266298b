VALUE = "vendored, first imported at run time"
