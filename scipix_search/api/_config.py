"""API and worker settings: they are fields of :class:`scipix_search.config.Settings`.

The API and worker code takes a second settings argument (``api_settings``) for its keys, limits
and worker options; it is the same ``Settings`` object type, kept as a name for those call sites.
"""

from __future__ import annotations

from scipix_search.config import Settings, get_settings

ApiSettings = Settings
get_api_settings = get_settings

__all__ = ["ApiSettings", "get_api_settings"]
