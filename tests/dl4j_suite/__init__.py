"""DL4J 1.0.0-M2.1's own transfer-learning and frozen-layer tests, transcribed line by line (issue 15, item 7)."""
