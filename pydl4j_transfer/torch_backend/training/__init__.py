"""DL4J's training math on torch tensors: losses, updaters, schedules, regularization, gradient
normalization and the full per-iteration update (``step.apply_update_blocks``).

Each module holds one registry keyed by DL4J's ``"@class"`` (GradientNormalization: its enum name)
and is checked against real ND4J/DL4J in tests/torch_backend/training/.
"""
