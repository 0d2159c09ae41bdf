"""Plot helpers for the notebooks, one module per topic; method modules never import them."""
