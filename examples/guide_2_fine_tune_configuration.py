"""DL4J's transfer-learning guide, section II: set up a fine-tune configuration.

The guide's Java, line for line (see docs/porting.md, "Guide II")::

    FineTuneConfiguration fineTuneConf = new FineTuneConfiguration.Builder()
        .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
        .updater(new Nesterovs(5e-5))
        .seed(seed)
        .build();

Mind the updater: in DL4J 1.0.0-M2.1 ``new Nesterovs(5e-5)`` is the constructor ``Nesterovs(double momentum)``,
so the guide's updater has learning rate 0.1 (the default) and momentum 5e-5; ``Nesterovs(5e-5)`` here means the
same (for a learning rate of 5e-5 write ``Nesterovs(5e-5, 0.9)``, as in Java). At learning rate 0.1 the section
III/IV scripts' training overshoots on the default stand-in; ``--lr 1e-4`` picks a learning rate.

The script prints the configuration as DL4J's ``toJson()`` writes it, then (not in the guide) applies it alone to
the section-I network with ``TransferLearning.GraphBuilder(pretrainedNet).fineTuneConfiguration(fineTuneConf)
.build()`` and prints what changed: every layer's updater, seed and optimization algorithm; no parameter.

Usage: ``python examples/guide_2_fine_tune_configuration.py [--out DIR] [--lr LR] [--pretrained]``
"""

from __future__ import annotations

import json
import sys

import _transfer_common as common
import guide_1_zoo_import as guide_1

seed = common.SEED  # the guide's `seed`


def fine_tune_configuration(seed=seed, learningRate=None):
    """II. Set up a fine-tune configuration: ``fineTuneConf``.

    ``learningRate`` (not in the guide; ``--lr``): ``Nesterovs(learningRate, 0.9)`` (Java: ``new Nesterovs(lr, 0.9)``)
    instead of the guide's updater, which DL4J reads as learning rate 0.1, momentum 5e-5 (see the module doc).
    """
    from pydl4j_transfer import FineTuneConfiguration, Nesterovs, OptimizationAlgorithm

    # DL4J's one-argument constructor is Nesterovs(double momentum): the guide's `new Nesterovs(5e-5)` is learning
    # rate 0.1 (the default) with momentum 5e-5, and so is Nesterovs(5e-5) here.
    updater = Nesterovs(5e-5) if learningRate is None else Nesterovs(learningRate, 0.9)
    fineTuneConf = (FineTuneConfiguration.Builder()
                    .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
                    .updater(updater)
                    .seed(seed)
                    .build())
    return fineTuneConf


def parser(description: str, epochs: int = 1):
    """_transfer_common's options plus ``--lr`` (sections II-IV)."""
    ap = common.parser(description, epochs)
    ap.add_argument("--lr", type=float, default=None,
                    help="Nesterovs learning rate (momentum 0.9) instead of the guide's new Nesterovs(5e-5), "
                         "which DL4J reads as learning rate 0.1, momentum 5e-5")
    return ap


def layer_settings(net) -> dict:
    """{layer vertex: (updater JSON, seed, optimizationAlgo)} read from the configuration JSON (no frozen layers)."""
    tree = json.loads(net.toJson())
    settings = {}
    for name, v in tree["vertices"].items():
        if "layerConf" not in v:
            continue
        updater = v["layerConf"]["layer"].get("iupdater")  # DL4J's JSON key for BaseLayer#iUpdater; none on pooling
        if updater is not None:
            values = ", ".join(str(x) for k, x in updater.items() if k != "@class")
            updater = f"{updater['@class'].rsplit('.', 1)[-1]}({values})"
        settings[name] = (updater, v["layerConf"]["seed"], v["layerConf"]["optimizationAlgo"])
    return settings


def main(argv=None) -> int:
    import numpy as np

    from pydl4j_transfer import TransferLearning

    args = parser(__doc__.split("\n")[0]).parse_args(argv)
    out = common.setup(args)
    fineTuneConf = fine_tune_configuration(seed, args.lr)
    print(fineTuneConf.toJson())
    (out / "fineTuneConf.json").write_text(fineTuneConf.toJson())

    # Not in the guide: what the configuration does to a network when applied alone.
    pretrainedNet = guide_1.import_zoo_model(args)
    fineTuned = TransferLearning.GraphBuilder(pretrainedNet).fineTuneConfiguration(fineTuneConf).build()
    before, after = layer_settings(pretrainedNet), layer_settings(fineTuned)
    changes = {}  # (setting, before, after) -> layers
    for name in after:
        for i, setting in enumerate(("updater", "seed", "optimizationAlgo")):
            if before[name][i] != after[name][i]:
                changes.setdefault((setting, before[name][i], after[name][i]), []).append(name)
    for (setting, old, new), names in changes.items():
        print(f"{setting}: {old} -> {new} on {len(names)} layers ({names[0]} ... {names[-1]})")
    print(f"parameters unchanged: {bool(np.array_equal(pretrainedNet.params(), fineTuned.params()))}")
    common.done(args)
    return 0


if __name__ == "__main__":
    sys.exit(common.run_main(main))
