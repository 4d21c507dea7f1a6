"""Talents: the registry's write side (``changes``), profile proposals and their review
(``profiles``), revisions, record validation, file readers, import and export, and the
sync of talents into the search index."""
