"""Saying "cannot verify at preview" the way the policy SDK does, without weakening what can be decided."""

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError


class CannotVerifyAtPreview(UnknownValueError):
    """Raised by a rule after reporting what it could decide: the SDK turns it into one advisory note.

    The policy SDK reports an ``UnknownValueError`` escaping a rule as an advisory
    diagnostic ("can't run policy … during preview: <message>"), and keeps the
    violations reported before it. A rule raises this only when a value that
    decides is unknown and no dependency decides it either; at ``pulumi up``
    values are known and the rule decides.
    """

    def __init__(self, message: str) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = message
        self.args = (message,)
