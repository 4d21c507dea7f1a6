"""Where expertise is thin: the capability map on the dashboard (issue 17 §4).

- ``topics``: the talent pool's topics, clustered from the passage vectors the
  search index already holds and labelled from their key terms (``terms``);
- ``gaps``: needs of the last twelve months whose best matches were weak;
- ``workload``: how much of the consultation load falls on the few, and who
  matches recent needs but was never asked;
- ``service``: builds and caches the map (``store``), and shapes it for one
  viewer (visibility of request titles) and for export (``export``).
"""
