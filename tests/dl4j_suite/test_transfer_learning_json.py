"""DL4J 1.0.0-M2.1's TestTransferLearningJson, transcribed line by line (see test_transfer_learning_mln.py)."""

from __future__ import annotations

from pydl4j_transfer import *  # DL4J's names, as the Java imports them

from .junit import assertEquals


def test_testJsonYaml():
    c = FineTuneConfiguration.Builder().activation(Activation.ELU).updater(AdaGrad(1.0)).biasUpdater(AdaGrad(10.0)).build()

    asJson = c.toJson()
    asYaml = c.toYaml()

    fromJson = FineTuneConfiguration.fromJson(asJson)
    fromYaml = FineTuneConfiguration.fromYaml(asYaml)

    #        System.out.println(asJson);

    assertEquals(c, fromJson)
    assertEquals(c, fromYaml)
    assertEquals(asJson, fromJson.toJson())
    assertEquals(asYaml, fromYaml.toYaml())
