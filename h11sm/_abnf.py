"""The RFC 9110 / RFC 9112 grammar rules h11sm checks, as byte regexes.

Only the rules that both the event constructors and the wire codec need live
here, so the two can never disagree about what a valid token or field value
is. Names follow the ABNF rule names of the RFCs.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CHUNK_EXT",
    "FIELD_NAME",
    "FIELD_VALUE",
    "HTTP_VERSION",
    "METHOD",
    "OWS",
    "REQUEST_TARGET",
    "STATUS_CODE",
    "TOKEN",
]

# RFC 9110 §5.6.2: token = 1*tchar
TCHAR: Final = rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]"
TOKEN: Final = rb"%s+" % TCHAR

# RFC 9110 §5.6.3: optional whitespace is SP or HTAB.
OWS: Final = rb"[ \t]*"

# RFC 9110 §5.1: field-name = token
FIELD_NAME: Final = TOKEN

# RFC 9110 §5.5: field-value = *field-content, where field-content starts and
# ends with a visible (or obs-text) octet and may hold SP / HTAB inside. NUL,
# CR, LF and the other controls are never allowed: they are how header
# injection and response splitting work.
_FIELD_VCHAR: Final = rb"[\x21-\x7e\x80-\xff]"
FIELD_VALUE: Final = rb"(?:%s(?:[\x20\x09\x21-\x7e\x80-\xff]*%s)?)?" % (_FIELD_VCHAR, _FIELD_VCHAR)

# RFC 9112 §3.1: method = token
METHOD: Final = TOKEN

# RFC 9112 §3.2: every request-target form is a run of visible ASCII: no
# spaces, no controls, no bytes >= 0x80 (they must be percent-encoded).
REQUEST_TARGET: Final = rb"[\x21-\x7e]+"

# RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT (we keep the digits)
HTTP_VERSION: Final = rb"HTTP/([0-9]\.[0-9])"

# RFC 9110 §15: status-code = 3DIGIT
STATUS_CODE: Final = rb"[0-9]{3}"

# RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
# with ext-val = token / quoted-string.
_QDTEXT: Final = rb"[\t !#-\[\]-~\x80-\xff]"
_QUOTED_PAIR: Final = rb"\\[\t \x21-\x7e\x80-\xff]"
QUOTED_STRING: Final = rb'"(?:%s|%s)*"' % (_QDTEXT, _QUOTED_PAIR)
CHUNK_EXT: Final = rb"(?:%s;%s%s(?:%s=%s(?:%s|%s))?)*" % (
    OWS,
    OWS,
    TOKEN,
    OWS,
    OWS,
    TOKEN,
    QUOTED_STRING,
)

# Compiled forms for whole-string checks.
TOKEN_RE: Final = re.compile(TOKEN)
FIELD_VALUE_RE: Final = re.compile(FIELD_VALUE)
REQUEST_TARGET_RE: Final = re.compile(REQUEST_TARGET)
HTTP_VERSION_RE: Final = re.compile(rb"[0-9]\.[0-9]")
