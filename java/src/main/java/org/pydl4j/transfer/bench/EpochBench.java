package org.pydl4j.transfer.bench;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearningHelper;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's side of bench/epoch.py: epochs of the guide's head with and without featurizing first.
 *
 * <p>Usage: {@code EpochBench MODEL.zip BOUNDARY IMAGES.npy LABELS.npy BATCH EPOCHS_PLAIN EPOCHS_CACHED
 * HEAD_LAYER OUT_PREFIX}. Two copies of the model are restored from the zip Python wrote; each gets a
 * TransferLearningHelper freezing it up to BOUNDARY (in place). The first trains the whole network
 * ({@code fit} per minibatch: frozen forward + head) for EPOCHS_PLAIN epochs, after one featurize of the
 * first minibatch as a warm-up (no params change). The second featurizes every minibatch once (kept in
 * memory: DL4J has no feature cache) and then trains with {@code fitFeaturized} for EPOCHS_CACHED epochs.
 * Writes OUT_PREFIX{feats0,head_plain,head_cached}.npy (the first minibatch's features; HEAD_LAYER's W
 * and b after each training) and prints one JSON line of timings in seconds.
 */
public final class EpochBench {
    private EpochBench() {}

    /** W ([nIn, nOut]) then b as one more row, 'c' order. */
    static void writeHead(ComputationGraph net, String layer, File out) throws Exception {
        INDArray w = net.getParam(layer + "_W").dup('c');
        INDArray b = net.getParam(layer + "_b").dup('c').reshape(1, w.size(1));
        Nd4j.writeAsNumpy(Nd4j.vstack(w, b), out);
    }

    public static void main(String[] args) throws Exception {
        File zip = new File(args[0]);
        String boundary = args[1];
        INDArray x = Nd4j.createFromNpyFile(new File(args[2]));
        INDArray y = Nd4j.createFromNpyFile(new File(args[3]));
        int batch = Integer.parseInt(args[4]);
        int epochsPlain = Integer.parseInt(args[5]);
        int epochsCached = Integer.parseInt(args[6]);
        String head = args[7];
        String prefix = args[8];
        List<DataSet> batches = new ArrayList<>();
        for (long i = 0; i < x.size(0); i += batch) {
            long j = Math.min(i + batch, x.size(0));
            batches.add(new DataSet(x.get(NDArrayIndex.interval(i, j)).dup('c'), y.get(NDArrayIndex.interval(i, j)).dup('c')));
        }

        ComputationGraph plain = ModelSerializer.restoreComputationGraph(zip, false);
        TransferLearningHelper plainHelper = new TransferLearningHelper(plain, boundary);
        long a = System.nanoTime();
        plainHelper.featurize(batches.get(0)).getFeatures().sumNumber();
        double warmup = (System.nanoTime() - a) / 1e9;
        double[] epochPlain = new double[epochsPlain];
        for (int e = 0; e < epochsPlain; e++) {
            a = System.nanoTime();
            for (DataSet ds : batches) plain.fit(ds);
            epochPlain[e] = (System.nanoTime() - a) / 1e9;
        }
        writeHead(plain, head, new File(prefix + "head_plain.npy"));
        plain = null;
        plainHelper = null;

        ComputationGraph cached = ModelSerializer.restoreComputationGraph(zip, false);
        TransferLearningHelper helper = new TransferLearningHelper(cached, boundary);
        a = System.nanoTime();
        List<DataSet> feats = new ArrayList<>();
        for (DataSet ds : batches) {
            DataSet f = helper.featurize(ds);
            f.getFeatures().sumNumber();
            feats.add(f);
        }
        double featurizeOnce = (System.nanoTime() - a) / 1e9;
        Nd4j.writeAsNumpy(feats.get(0).getFeatures(), new File(prefix + "feats0.npy"));
        double[] epochCached = new double[epochsCached];
        for (int e = 0; e < epochsCached; e++) {
            a = System.nanoTime();
            for (DataSet f : feats) helper.fitFeaturized(f);
            epochCached[e] = (System.nanoTime() - a) / 1e9;
        }
        writeHead(cached, head, new File(prefix + "head_cached.npy"));
        System.out.printf(Locale.ROOT, "{\"warmup_s\": %s, \"epoch_plain_s\": %s, \"featurize_once_s\": %s, "
                + "\"epoch_cached_s\": %s}%n", Double.toString(warmup), Arrays.toString(epochPlain),
                Double.toString(featurizeOnce), Arrays.toString(epochCached));
    }
}
