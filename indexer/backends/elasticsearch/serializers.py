"""JSON for the Elasticsearch client through orjson, NDJSON (bulk, msearch) included.

Every search sends the query vector (384 floats) in each kNN clause and every
bulk request sends a vector per passage; the standard library's ``json``
spends most of a bulk request's client time printing those floats, and the
client's own orjson serializer covers plain JSON only, not the NDJSON bodies
of ``bulk`` and ``msearch``. orjson also writes numpy arrays directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from elasticsearch.serializer import (
    CompatibilityModeJsonSerializer,
    CompatibilityModeNdjsonSerializer,
    JsonSerializer,
    NdjsonSerializer,
)

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


class _Orjson:
    """``json_dumps``/``json_loads`` through orjson; the client's ``default`` handles the rest."""

    #: The client serializer mixed in after this class supplies it (dates, numpy scalars).
    default: Callable[[Any], Any]

    def json_dumps(self, data: Any) -> bytes:
        return orjson.dumps(data, default=self.default, option=_OPTIONS)

    def json_loads(self, data: bytes) -> Any:
        return orjson.loads(data)


class OrjsonJson(_Orjson, JsonSerializer):
    pass


class OrjsonNdjson(_Orjson, NdjsonSerializer):
    pass


class OrjsonCompatJson(_Orjson, CompatibilityModeJsonSerializer):
    pass


class OrjsonCompatNdjson(_Orjson, CompatibilityModeNdjsonSerializer):
    pass


def orjson_serializers() -> dict[str, Any]:
    """The client's ``serializers`` argument: orjson for every JSON mimetype it speaks."""
    return {cls.mimetype: cls() for cls in (OrjsonJson, OrjsonNdjson, OrjsonCompatJson, OrjsonCompatNdjson)}
