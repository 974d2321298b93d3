"""Reconciliation: what the review claims against what the analyzers found, and against known defects.

``GroundedReview`` + analyzer runs -> ``Reconciliation``. Where things are:

- :mod:`~crosscheck.reconcile.model`: the outcomes, statuses and results (what reports read);
- :mod:`~crosscheck.reconcile.claims`: :func:`~crosscheck.reconcile.claims.reconcile`, which
  ties findings to claims and decides every outcome, the verdict's consistency and the metrics;
- :mod:`~crosscheck.reconcile.testcode`: which files are tests, and which findings are noise there;
- :mod:`~crosscheck.reconcile.labels`: the three-way comparison with ground-truth labels
  (the review and the analyzers against the labels, and against each other).
"""
