"""The kit's one exception family: every error meant for a person is a GraderError."""


class GraderError(Exception):
    """A problem a person can fix; the message says what went wrong, where, and what to try."""


class CourseError(GraderError):
    """course.yaml is missing, unreadable, or has a bad key or value."""


class DataError(GraderError):
    """MNIST or the reference fixtures could not be found or read."""


class SubmissionError(GraderError):
    """A submission folder is missing or is not a folder of Python modules."""
