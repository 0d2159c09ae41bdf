"""ipywidgets panels for the notebooks, one module per topic."""
