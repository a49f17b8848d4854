from typing import IO

class ColorProfile:
    src: str
    rendering_intent: str
    def __init__(
        self,
        file_object: IO[bytes],
        src: str,
        rendering_intent: str,
        components: tuple[list[str], ...],
    ) -> None: ...
