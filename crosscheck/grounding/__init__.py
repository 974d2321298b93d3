"""Grounding: checking every citation of every claim against the code itself.

``Review`` + ``CodeTarget`` -> ``GroundedReview``: each citation gets a status saying
whether its code is where the review says. Where things are:

- :mod:`~crosscheck.grounding.model`: the statuses and the grounded review (what the
  later stages read);
- :mod:`~crosscheck.grounding.ground`: the grounder, :func:`~crosscheck.grounding.ground.ground`;
- :mod:`~crosscheck.grounding.index`: which builder indexes a file, :func:`~crosscheck.grounding.index.build_index`;
- :mod:`~crosscheck.grounding.file_index`: the index of one file, and the plain-text fallback;
- :mod:`~crosscheck.grounding.ast_index` and :mod:`~crosscheck.grounding.cst_index`: the
  builders from the standard library's ``ast`` and from libcst.

Nothing is imported here, so that reading the model does not load the grounder, and
libcst is loaded only when a file needs it.
"""
