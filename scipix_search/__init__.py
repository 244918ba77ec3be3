"""scipix-search: search scientific papers by equation and by meaning."""

__version__ = "0.1.0"

from scipix_search.config import Settings, get_settings
from scipix_search.exceptions import ScipixError

__all__ = ["Settings", "ScipixError", "__version__", "get_settings"]
