"""framespan: find framing and propaganda devices in news text as labelled character spans."""

from .spans import Document, Span

__version__ = "0.1.0"
__all__ = ["Document", "Span", "__version__"]
