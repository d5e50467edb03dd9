"""Reports of a network's figures, built from the arithmetic and rendered at the edge."""
