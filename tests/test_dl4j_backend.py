"""The Java side: JVM start, bulk array transfer, the facade's coarse calls, first parity test."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer.dl4j_backend import DTYPE_TO_ND4J, Dl4jModel, to_indarray, to_numpy

pytestmark = pytest.mark.dl4j
FIXTURE = Path(__file__).resolve().parents[1] / "compat_fixtures" / "1.0.0-M2.1" / "mlp_dense_output"


def test_dl4j_version_is_the_pinned_one(jvm):
    assert str(jvm.dl4jVersion()) == "1.0.0-M2.1"


@pytest.mark.parametrize("dtype", sorted(DTYPE_TO_ND4J, key=str), ids=str)
def test_array_round_trip_every_dtype(dtype):
    rng = np.random.default_rng(1)
    a = (rng.standard_normal((3, 4, 5)) * 10).astype(dtype)
    ind = to_indarray(a)
    assert str(ind.dataType().name()) == DTYPE_TO_ND4J[dtype]
    assert list(ind.shape()) == [3, 4, 5]
    b = to_numpy(ind)
    assert b.dtype == dtype and b.shape == a.shape
    np.testing.assert_array_equal(a, b)


def test_array_values_land_where_nd4j_expects_them():
    import jpype

    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    ind = to_indarray(a)
    assert float(ind.getDouble(jpype.JArray(jpype.JLong)([2, 1]))) == 9.0  # row 2, column 1, read by ND4J itself
    assert float(ind.sumNumber().doubleValue()) == float(a.sum())


def test_fortran_order_views_and_odd_shapes():
    a = np.asfortranarray(np.random.default_rng(0).random((5, 7)))
    np.testing.assert_array_equal(to_numpy(to_indarray(a)), a)
    t = to_indarray(np.arange(6, dtype=np.float64).reshape(2, 3)).transpose()  # an ND4J 'f' view
    np.testing.assert_array_equal(to_numpy(t), np.arange(6.0).reshape(2, 3).T)
    assert to_numpy(to_indarray(np.zeros((0, 3), np.float32))).shape == (0, 3)
    assert to_numpy(to_indarray(np.float32(2.5))) == np.float32(2.5)
    big_endian = np.arange(5, dtype=">f4")
    np.testing.assert_array_equal(to_numpy(to_indarray(big_endian)), np.arange(5, dtype=np.float32))


def test_unsupported_dtype_is_a_clear_type_error():
    with pytest.raises(TypeError, match="complex128"):
        to_indarray(np.zeros(3, dtype=np.complex128))


def _dense_output_in_dl4j(jvm):
    """Dense(4->5, relu) + Output(5->3, softmax) built with DL4J's own builders, params 0.01*k."""
    import jpype

    Builder = jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration$Builder")
    Dense = jpype.JClass("org.deeplearning4j.nn.conf.layers.DenseLayer$Builder")
    Output = jpype.JClass("org.deeplearning4j.nn.conf.layers.OutputLayer$Builder")
    Activation = jpype.JClass("org.nd4j.linalg.activations.Activation")
    Loss = jpype.JClass("org.nd4j.linalg.lossfunctions.LossFunctions$LossFunction")
    Net = jpype.JClass("org.deeplearning4j.nn.multilayer.MultiLayerNetwork")
    # list(Layer...) rather than list().layer(..): JPype resolves a bare list() to the varargs form.
    conf = (Builder().seed(42)
            .list(Dense().nIn(4).nOut(5).activation(Activation.RELU).build(),
                  Output(Loss.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX).build())
            .build())
    net = Net(conf)
    net.init()
    n = int(net.numParams())
    params = (np.arange(n, dtype=np.float32) - n / 2) * 0.01
    net.setParams(to_indarray(params.reshape(1, -1)))
    return net, params


def test_first_parity_dense_output_matches_numpy_and_torch(jvm):
    import torch

    net, p = _dense_output_in_dl4j(jvm)
    x = np.random.default_rng(7).standard_normal((6, 4)).astype(np.float32)
    dl4j_out = to_numpy(net.output(to_indarray(x)))

    # DL4J's flat layout: per layer W [nIn, nOut] in 'f' order, then b [nOut].
    w0 = p[0:20].reshape(4, 5, order="F"); b0 = p[20:25]
    w1 = p[25:40].reshape(5, 3, order="F"); b1 = p[40:43]
    h = np.maximum(x @ w0 + b0, 0)
    z = h @ w1 + b1
    np_out = np.exp(z - z.max(1, keepdims=True)); np_out /= np_out.sum(1, keepdims=True)
    np.testing.assert_allclose(dl4j_out, np_out, atol=1e-6, rtol=0)

    # The same bytes as torch's Linear weight [out, in] in 'c' order (the convention flip).
    lin0 = torch.nn.Linear(4, 5); lin1 = torch.nn.Linear(5, 3)
    with torch.no_grad():
        lin0.weight.copy_(torch.from_numpy(p[0:20].reshape(5, 4))); lin0.bias.copy_(torch.from_numpy(b0))
        lin1.weight.copy_(torch.from_numpy(p[25:40].reshape(3, 5))); lin1.bias.copy_(torch.from_numpy(b1))
        t_out = torch.softmax(lin1(torch.relu(lin0(torch.from_numpy(x)))), dim=1).numpy()
    np.testing.assert_allclose(dl4j_out, t_out, atol=1e-6, rtol=0)


def test_facade_restore_output_fit_save_round_trip(tmp_path):
    model = Dl4jModel.restore(FIXTURE / "model.zip")
    assert not model.isComputationGraph
    x = np.load(FIXTURE / "input.npy")
    # DL4J here against DL4J where the fixture was written (another CPU): the manifest's tolerance
    np.testing.assert_allclose(model.output(x), np.load(FIXTURE / "output.npy"), atol=1e-6, rtol=0)
    p0 = model.params()
    assert p0.shape == (43,)
    state0 = model.updaterState()
    assert state0 is not None and state0.shape == (86,)  # Adam: m and v, one block
    y = np.eye(3, dtype=np.float32)[np.arange(7) % 3]
    s1 = model.fit(x, y, steps=5)
    assert np.isfinite(s1) and not np.array_equal(model.params(), p0)
    out = tmp_path / "saved.zip"
    model.save(out, saveUpdater=True)
    again = Dl4jModel.restore(out)
    np.testing.assert_array_equal(again.params(), model.params())
    np.testing.assert_array_equal(again.updaterState(), model.updaterState())
    assert again.configurationJson() == model.configurationJson()


def test_from_json_with_params_reproduces_the_fixture():
    model = Dl4jModel.restore(FIXTURE / "model.zip")
    rebuilt = Dl4jModel.fromJson(model.configurationJson(), model.params())
    x = np.load(FIXTURE / "input.npy")
    np.testing.assert_array_equal(rebuilt.output(x), model.output(x))


def test_java_exception_becomes_dl4j_backend_error():
    from pydl4j_transfer.errors import Dl4jBackendError

    model = Dl4jModel.restore(FIXTURE / "model.zip")
    with pytest.raises(Dl4jBackendError, match="real DL4J failed in output"):
        model.output(np.zeros((2, 9), np.float32))  # nIn is 4


def test_restore_missing_file_names_it(tmp_path):
    from pydl4j_transfer.errors import NotADl4jZipError

    with pytest.raises(NotADl4jZipError, match="nope.zip"):
        Dl4jModel.restore(tmp_path / "nope.zip")


def test_torch_and_nd4j_share_a_process():
    """Evidence for running the JVM in-process: both BLAS/OpenMP stacks busy at once, right answers."""
    import threading

    import torch

    rng = np.random.default_rng(3)
    a = rng.standard_normal((256, 256)).astype(np.float32)
    ja = to_indarray(a)
    ta = torch.from_numpy(a)
    expected = a.astype(np.float64) @ a.astype(np.float64)
    results = {}

    def torch_side():
        for _ in range(30):
            results["torch"] = (ta @ ta).numpy()

    t = threading.Thread(target=torch_side)
    t.start()
    for _ in range(30):
        results["nd4j"] = to_numpy(ja.mmul(ja))
    t.join()
    np.testing.assert_allclose(results["torch"], expected, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(results["nd4j"], expected, rtol=1e-3, atol=1e-3)


def _run_fresh(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=full_env, timeout=300)


def test_wrong_classpath_raises_jvm_unavailable_with_the_fix(tmp_path):
    r = _run_fresh("""
        from pydl4j_transfer.dl4j_backend import start_jvm
        from pydl4j_transfer.errors import JvmUnavailableError
        import jpype
        try:
            start_jvm()
        except JvmUnavailableError as e:
            print(e)
            print('started:', jpype.isJVMStarted())
        """, PYDL4J_TRANSFER_CLASSPATH=str(tmp_path / "nothing-here" / "*"))
    assert r.returncode == 0, r.stderr
    assert "nothing-here" in r.stdout            # names the classpath it tried
    assert "make java" in r.stdout               # and the command that builds it
    assert "started: False" in r.stdout          # checked before starting a JVM it could not restart


def test_classpath_from_env_var_is_used(tmp_path):
    target = Path(__file__).resolve().parents[1] / "java" / "target"
    cp = os.pathsep.join([str(target / "pydl4j-transfer-java.jar"), str(target / "lib" / "*")])
    r = _run_fresh("""
        from pydl4j_transfer.dl4j_backend import start_jvm, dl4j_version
        assert start_jvm() is start_jvm()   # idempotent
        print(dl4j_version())
        """, PYDL4J_TRANSFER_CLASSPATH=cp)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("1.0.0-M2.1")


def test_the_jvm_locale_is_pinned_so_dl4j_text_is_the_same_on_every_machine():
    """DL4J formats Evaluation#stats and summary() in the JVM's default locale: a German machine would print
    "Recall: 1,0000" and every text comparison with the torch side would fail. JAVA_TOOL_OPTIONS plays the machine's
    locale here (Java reads LANG only where the OS has that locale installed)."""
    code = textwrap.dedent("""
        import jpype
        from pydl4j_transfer.dl4j_backend import start_jvm
        start_jvm()
        Locale, String = jpype.JClass("java.util.Locale"), jpype.JClass("java.lang.String")
        print(Locale.getDefault().toString(), String.format("%.4f", jpype.JDouble(1.0)))
    """)
    env = dict(os.environ, JAVA_TOOL_OPTIONS="-Duser.language=de -Duser.country=DE")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["en_US", "1.0000"]
