NAME = "plugin a of a namespace package"
