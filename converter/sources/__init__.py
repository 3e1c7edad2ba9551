"""Image sources: each turns a reference into an `Image` (see converter.image)."""
