"""Where classes are graded besides this machine: Gradescope's autograder, and the gradebooks of LMSs."""
