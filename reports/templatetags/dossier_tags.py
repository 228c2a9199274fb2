"""Template helpers of the dossier."""

import re

from django import template

from assessments import manifestation

register = template.Library()

# What XML 1.0 cannot hold: C0 controls other than tab, line feed and carriage return, lone surrogates, and
# U+FFFE/U+FFFF. The document's title and description become its XMP metadata, which must be well-formed XML
# (a feature named with an escape character made the signer's XMP parser fail).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@register.filter
def xml_text(value):
    """``value`` without the characters XML 1.0 cannot hold (for metadata); the body shows the text as typed."""
    return _NOT_XML.sub("", str(value))


@register.filter
def manifestation_line(sign_off):
    """'Approved as Legal reviewer by <name> (<username>) at <UTC time>[, acting for ...]'."""
    return manifestation.manifestation_line(sign_off)
