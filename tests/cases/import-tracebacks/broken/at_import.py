VALUE = 1
1 / 0
