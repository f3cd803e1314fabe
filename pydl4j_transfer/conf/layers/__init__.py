"""Layer configurations (``org.deeplearning4j.nn.conf.layers``), one module per family."""
