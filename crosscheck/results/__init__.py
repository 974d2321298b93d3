"""Results: the report of one check, the outcome of each pair of a run, the gates, and the dataset statistics."""
