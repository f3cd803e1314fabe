"""bench/gpu.py runs on a GPU only when a device is lent (rarely, with minutes to spare): it must not break in
between. This runs the whole script on the CPU with a small input and checks what it reports."""

import json


def test_gpu_bench_runs_end_to_end_on_cpu(tmp_path):
    from bench import gpu

    out = tmp_path / "gpu.json"
    # the smallest run the script takes (160x160: ResNet50's final pooling), one image, unwarmed: the plumbing is
    # what is checked, and bf16 convolutions on a CPU without AVX512-BF16 are slow (batch 2 with 3 warm-ups took
    # 10 min of the suite on an AVX2-only host; this, 2 min 20 s alone)
    result = gpu.main(["--device", "cpu", "--size", "160", "--batch", "1", "--reps", "1", "--warmup", "0",
                       "--pipeline", "16", "--out", str(out)])
    pipe = result["pipeline"]
    assert pipe["images"] == 16 and pipe["images_per_s"] > 0
    assert set(pipe["keeps_fed"]) == {f"{m} {p}" for m in ("vgg16", "resnet50") for p in ("fp32", "bf16")}
    assert json.loads(out.read_text())["models"].keys() == {"vgg16", "resnet50"}
    parity = result["parity"]
    assert len(parity) >= 70
    assert all(row["error"] == "" for row in parity), [r for r in parity if r["error"]]
    assert sum(row["max_abs_diff"] <= 1e-4 for row in parity) >= len(parity) - 1  # dtype_half: a float16 network
    for name, model in result["models"].items():
        # the hand-written model holds the same weights (a wrong one is off by O(1)); channels-last f32 convolutions
        # sum in another order: 3.0e-6 on VGG16's 13 layers on the AMD host
        assert model["featurize_max_rel_diff"] < 1e-4, name
        rows = {(r["what"], r["precision"], r["layout"]) for r in model["rows"]}
        assert rows == {("featurize", p, layout) for p in ("fp32", "bf16") for layout in ("nchw", "channels_last")} | {
            ("featurize_api", "fp32", "nchw"), ("featurize_api", "bf16", "nchw"), ("fit", "fp32", "nchw"),
            ("fit_module", "bf16", "nchw")}, name
        for r in model["rows"]:
            assert r["ours_s"] > 0 and r["hand_s"] > 0 and r["ours_tflops"] > 0, r
