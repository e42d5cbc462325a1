"""QR codes as PNG data URIs (reportlab's encoder, drawn with Pillow: no extra dependency)."""

from __future__ import annotations

import base64
import io

from PIL import Image
from reportlab.graphics.barcode import qrencoder

QUIET_ZONE_MODULES = 4
PIXELS_PER_MODULE = 8
#: ISO/IEC 18004 lets the encoder pick any of the 8 mask patterns (every reader handles all of them); the
#: penalty scoring that picks the "best" one builds the symbol 8 more times: 10 of the 12 ms of one QR.
MASK_PATTERN = 0


class _FixedMaskQRCode(qrencoder.QRCode):
    """reportlab's encoder with a fixed mask pattern instead of scoring all eight."""

    def getBestMaskPattern(self) -> int:  # noqa: N802 - reportlab's method name
        return MASK_PATTERN


def qr_png(value: str) -> bytes:
    """Return a black-on-white PNG of `value` with error correction level M and a 4-module quiet zone."""
    code = _FixedMaskQRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()
    count = code.getModuleCount()
    side = count + 2 * QUIET_ZONE_MODULES
    image = Image.new("1", (side, side), 1)
    pixels = image.load()
    for row in range(count):
        for column in range(count):
            if code.isDark(row, column):
                pixels[column + QUIET_ZONE_MODULES, row + QUIET_ZONE_MODULES] = 0
    image = image.resize((side * PIXELS_PER_MODULE, side * PIXELS_PER_MODULE), Image.Resampling.NEAREST)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def qr_data_uri(value: str) -> str:
    """Return the QR of `value` as a data:image/png URI for an <img> in a template."""
    return "data:image/png;base64," + base64.b64encode(qr_png(value)).decode("ascii")
