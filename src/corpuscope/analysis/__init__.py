"""Pure functions over numpy arrays: clustering, scores, duplicates, tags, recommendations, maps.

Nothing here reads or writes a project. Every public ``compute_*`` function validates its
input (raising ``InvalidInput`` with a sentence a person understands), never modifies it, takes
randomness as a ``seed`` and returns a small frozen dataclass. Entry points:

- ``clustering.compute_clustering``: k-means (fixed k) or automatic groups, with scores;
- ``scores``: the one group score and the image scores (see docs/scores.md);
- ``duplicates.compute_duplicates`` over ``fingerprint.compute_fingerprint`` outputs;
- ``tag_assignment.compute_tag_assignment``, ``recommend.compute_recommendations``,
  ``similarity.compute_similar`` / ``compute_text_search``;
- ``projection.compute_map`` / ``place_on_map``: 2-D coordinates for the map view.
"""
