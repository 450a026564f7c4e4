"""From the course's sources to what ships: stubs from solutions, the docstring contracts, the freshness guard, and the student handout."""
