"""QR codes as PNG data URIs (reportlab's encoder, drawn with Pillow: no extra dependency)."""

from __future__ import annotations

import base64
import io

from PIL import Image
from reportlab.graphics.barcode import qrencoder

QUIET_ZONE_MODULES = 4
PIXELS_PER_MODULE = 8


def qr_png(value: str) -> bytes:
    """Return a black-on-white PNG of `value` with error correction level M and a 4-module quiet zone."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
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
