"""Value objects nested in layer configurations (activations, updaters, losses, ...)."""
