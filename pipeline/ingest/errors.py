"""The one error type readers raise; ingest turns it into a failed Document."""


class IngestError(Exception):
    """A file that cannot be read; the message is shown to users as the document's error."""
