"""Running: the pipeline of one pair, the one batch runner of many, the analysis cache, and writing reports."""
