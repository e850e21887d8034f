"""What a file is, from its first bytes, not from its name (a ``.jpg`` may be anything).

A small table of signatures for the files monitors collect: photos, scans, documents,
audio and video. Anything else is ``application/octet-stream`` and refused by default.
"""

from __future__ import annotations

# (offset, magic bytes, media type); the first match wins, so longer/more specific first.
SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"MZ", "application/x-msdownload"),
)
# ISO base media files (MP4, MOV, HEIC, M4A) carry "ftyp" and a brand at offset 4.
FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
}
RIFF_FORMS = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}
ACCEPTED = frozenset(
    {
        "image/jpeg", "image/png", "image/gif", "image/tiff", "image/webp", "image/heic",
        "image/heif", "application/pdf", "video/mp4", "video/quicktime", "video/webm",
        "video/x-msvideo", "audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4", "audio/flac",
        "application/zip", "text/plain",
    }
)  # fmt: skip
HEAD_BYTES = 64


def sniff(head: bytes) -> str:
    """The media type the first bytes of a file show.

    >>> sniff(b"%PDF-1.7 ...")
    'application/pdf'
    >>> sniff(b"MZ\\x90\\x00")  # a Windows program, whatever its name says
    'application/octet-stream'
    """
    for offset, magic, media_type in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return media_type
    if head[4:8] == b"ftyp":
        return FTYP_BRANDS.get(head[8:12], "video/mp4")
    if head[:4] == b"RIFF" and head[8:12] in RIFF_FORMS:
        return RIFF_FORMS[head[8:12]]
    if head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:  # not just a character cut at the end
                return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"
