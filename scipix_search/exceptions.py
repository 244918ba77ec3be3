"""The exception hierarchy of scipix-search.

Every error raised on purpose by the package derives from :class:`ScipixError`. The class
docstring is the default message, data is attached as attributes, and the API maps these (and
only these) to HTTP answers in one handler.
"""

from __future__ import annotations


class ScipixError(Exception):
    """scipix-search failed."""

    def __init__(self, message: str | None = None, **attrs: object) -> None:
        self.message = message or (self.__doc__ or "").strip()
        for key, value in attrs.items():
            setattr(self, key, value)
        super().__init__(self.message)


class ConfigError(ScipixError):
    """The configuration is invalid."""


class MissingDependencyError(ScipixError):
    """An optional dependency is not installed."""


class InputError(ScipixError):
    """The input cannot be processed."""


class UnsupportedContentError(InputError):
    """The content type of this input is not supported."""


class CorruptInputError(InputError):
    """The input file is damaged or unreadable."""


class InputTooLargeError(InputError):
    """The input exceeds a configured limit."""


class LatexParseError(InputError):
    """The LaTeX cannot be parsed."""


class EmptyQueryError(InputError):
    """The query is empty."""


class OCRError(ScipixError):
    """Optical character recognition failed."""


class ModelNotFoundError(ScipixError):
    """A model file is missing; build it with `scipix-search models build`."""


class EmbeddingError(ScipixError):
    """Computing embeddings failed."""


class StoreError(ScipixError):
    """The database operation failed."""


class NotFoundError(StoreError):
    """The requested record does not exist."""


class StorageFullError(StoreError):
    """No space left on the device of the data folder."""


class ReadOnlyStoreError(StoreError):
    """The data folder is read-only."""


class IndexStoreError(ScipixError):
    """The vector index operation failed."""


class IndexCorruptError(IndexStoreError):
    """The vector index on disk is corrupt or disagrees with its metadata."""


class JobCrashedError(ScipixError):
    """The process running an ingestion job died or raised an unexpected error."""
