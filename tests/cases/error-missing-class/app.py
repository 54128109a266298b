class Apy:
    def ping(self) -> str:
        return "pong"
