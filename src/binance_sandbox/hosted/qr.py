"""The QR code of an order (`qrcodeLink`), drawn as SVG: pure Python, no image library."""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode  # type: ignore[import-untyped]
import qrcode.image.svg  # type: ignore[import-untyped]

# Error correction M (15 %) and a border of 4 modules: what scanners expect of a screen code.
_BORDER = 4
_BOX_SIZE = 10


@lru_cache(maxsize=512)
def qr_svg(content: str) -> bytes:
    """A standalone SVG document whose QR code encodes `content` (the order's `qrContent`).
    Drawing one takes a few milliseconds; an order's code never changes, so keep recent ones."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=_BOX_SIZE,
        border=_BORDER,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(content)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()
