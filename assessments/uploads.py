"""An uploaded file's bytes, read no further than its limit: what the bias upload and a condition's evidence share."""


def read_capped(upload, limit, *, missing, too_large):
    """The bytes of ``upload`` (a Django UploadedFile), at most ``limit`` of them.

    Raises ``missing`` when there is no file, and ``too_large()`` (a 413) when its announced size or its bytes go
    over ``limit``; never reads more than one byte past it. Both are the caller's ``errors.FileRefused``.
    """
    if upload is None or not hasattr(upload, "read"):
        raise missing
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        raise too_large()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large()
    return data
