"""Errors the converter reports as one line and a non-zero exit."""


class ConvertError(Exception):
    """A problem with the input or the conversion; its message is the one line shown."""


class UnsupportedArchitecture(ConvertError):
    pass
