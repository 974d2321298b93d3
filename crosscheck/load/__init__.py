"""Loading: the code, the review, manifests of pairs, upstream sources, configuration and ground-truth labels."""
