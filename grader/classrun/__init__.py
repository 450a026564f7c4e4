"""Running a class: the roster, the gradebook that resumes a run, the executors (local or Dask), the fingerprint that decides a grade is unchanged, and the lifetime of everything a run starts."""
