"""Live analysis of open feeds: per-feed workers, the track index the views draw from."""
