"""Reading a PDF's embedded files (``assessment.json``) with pyHanko, the library that checks its signature."""

import io

from pyhanko.pdf_utils.reader import PdfFileReader


def embedded_file(content, name):
    """The bytes of the embedded file called ``name`` in the PDF ``content``, or None when it has none."""
    try:
        root = PdfFileReader(io.BytesIO(content), strict=False).root
        names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    except Exception:  # noqa: BLE001 - no readable embedded files: none
        return None
    for index in range(0, len(names) - 1, 2):
        if str(names[index]) == name:
            spec = names[index + 1].get_object()
            return spec["/EF"]["/F"].get_object().data
    return None
