"""Backend-independent ranking: fusion, aggregation, evidence."""
