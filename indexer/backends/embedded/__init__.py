"""The embedded search backend: SQLite for durability, in-memory structures for speed."""
