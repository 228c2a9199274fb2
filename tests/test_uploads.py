"""An upload's bytes are read no further than its limit: exactly the limit passes, one byte more is a 413."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.errors import FileRefused
from assessments.uploads import read_capped

LIMIT = 100


def too_large():
    return FileRefused("Over the limit.", 413)


def read(upload):
    return read_capped(upload, LIMIT, missing=FileRefused("Choose a file."), too_large=too_large)


def test_exactly_the_limit_is_read_whole():
    assert read(SimpleUploadedFile("a.csv", b"x" * LIMIT)) == b"x" * LIMIT


def test_one_byte_over_the_limit_is_a_413_by_its_size():
    with pytest.raises(FileRefused) as refused:
        read(SimpleUploadedFile("a.csv", b"x" * (LIMIT + 1)))
    assert refused.value.status == 413


def test_a_file_whose_size_understates_it_is_refused_by_its_bytes():
    upload = SimpleUploadedFile("a.csv", b"x" * (LIMIT + 1))
    upload.size = LIMIT
    with pytest.raises(FileRefused) as refused:
        read(upload)
    assert refused.value.status == 413


@pytest.mark.parametrize("upload", [None, "not a file"])
def test_no_file_is_the_callers_missing_refusal(upload):
    with pytest.raises(FileRefused) as refused:
        read(upload)
    assert refused.value.status == 400 and refused.value.message == "Choose a file."


def test_a_size_announced_over_the_limit_is_refused_before_reading():
    upload = SimpleUploadedFile("a.csv", b"x" * LIMIT)
    upload.size = LIMIT + 1
    with pytest.raises(FileRefused) as refused:
        read(upload)
    assert refused.value.status == 413 and upload.tell() == 0


def test_never_more_than_one_byte_past_the_limit_is_read():
    upload = SimpleUploadedFile("a.csv", b"x" * (10 * LIMIT))
    upload.size = LIMIT
    with pytest.raises(FileRefused):
        read(upload)
    assert upload.tell() == LIMIT + 1
