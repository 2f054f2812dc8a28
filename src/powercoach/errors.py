"""Errors a learner or an instructor may see: each says what is wrong and how to fix it."""


class PowercoachError(Exception):
    """Base for problems we explain to a person instead of showing a traceback."""


class DataError(PowercoachError, ValueError):
    """A catalogue, bank or role-play file breaks the schema in BLUEPRINT.md."""
