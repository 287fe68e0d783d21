"""corpuscope: explore large image corpora by visual similarity."""

__version__ = "0.1.0"
