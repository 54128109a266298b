VALUE = "vendored"
