"""The knowledge base: domain model, write-side operations, durable queue, CLI.

Importing ``kb`` hands the indexer its taxonomy: ``kb/data/taxonomy.json`` is
the one source of field and category labels, and the indexer reads no file of
kb's behind its back (see ``indexer.taxonomy``).
"""

from indexer.taxonomy import provide
from kb.taxonomy import search_taxonomy

provide(search_taxonomy)
