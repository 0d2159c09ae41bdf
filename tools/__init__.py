"""Repository tools, run from a checkout and never installed with the course: notebook
housekeeping (``python -m tools.notebook_tools``), the exercise generator
(``python -m tools.exercise_gen``), the Colab twin, the network blocker of the test lanes."""
