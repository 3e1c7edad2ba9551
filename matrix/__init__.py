"""c2w-matrix: runs the conformance suite, keeps results as one versioned JSON document, and renders,
compares, archives and reproduces them."""
