"""The Elasticsearch 8 backend: versioned indices behind an alias, split by role.

``backend`` (the ``Backend`` interface), ``connection`` (client, error
translation, the alias's generations), ``mapping`` (what is stored),
``queries`` (request bodies and response parsing), ``writer`` (bulk writes,
centroid sums), ``rebuild`` (a new generation swapped in atomically).
"""

from indexer.backends.elasticsearch.backend import ElasticsearchBackend
from indexer.backends.elasticsearch.rebuild import ElasticsearchRebuild

__all__ = ["ElasticsearchBackend", "ElasticsearchRebuild"]
