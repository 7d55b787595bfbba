"""vidsite: Hugo for narrated videos."""

__version__ = "0.1.0"
