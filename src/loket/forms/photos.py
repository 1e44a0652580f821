"""Photos of reports lose their metadata: EXIF (camera, time, GPS position) and text chunks.

The image is decoded and re-encoded from its pixels only, after turning it the way its EXIF
orientation says (so that it still looks right without the tag).
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

FORMATS = {"JPEG": "JPEG", "PNG": "PNG"}


class NotAnImage(ValueError):
    pass


def strip_metadata(content: bytes) -> bytes:
    """The same picture, re-encoded, with no metadata at all."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = FORMATS.get(image.format or "")
            if kind is None:
                raise NotAnImage(image.format)
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                upright = upright.convert("RGBA" if kind == "PNG" else "RGB")
            # A new image from the raw pixels: nothing of the original's info comes along.
            pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except (OSError, Image.DecompressionBombError) as problem:
        raise NotAnImage(str(problem)) from None
    out = io.BytesIO()
    if kind == "JPEG":
        pixels.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        pixels.save(out, "PNG", optimize=True)
    return out.getvalue()
