package org.pydl4j.transfer.bench;

import java.io.File;
import java.util.Arrays;
import java.util.Locale;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearningHelper;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's side of bench/featurize.py: TransferLearningHelper featurize and fitFeaturized times.
 *
 * <p>Usage: {@code FeaturizeBench MODEL.zip BOUNDARY INPUT.npy LABELS.npy FEATS.npy FLABELS.npy OUT.npy
 * REPS_FEATURIZE REPS_FIT STEPS_PER_REP [HEAD_LAYER HEAD_OUT.npy]}: restores the graph Python wrote, freezes up to
 * BOUNDARY, featurizes INPUT (the first result goes to OUT.npy for the engines' difference), then times
 * fitFeaturized on the given features/labels (REPS_FIT repetitions of STEPS_PER_REP steps each, the mean step
 * time recorded per repetition; REPS_FIT 0: no fit; FEATS/FLABELS are then not read).
 * With HEAD_LAYER, that layer's W and b after the fits go to HEAD_OUT.npy as one [nIn + 1, nOut]
 * array (W's rows, then b). Prints one JSON line of timings in seconds (warm-up included).
 */
public final class FeaturizeBench {
    private FeaturizeBench() {}

    public static void main(String[] args) throws Exception {
        ComputationGraph net = ModelSerializer.restoreComputationGraph(new File(args[0]), false);
        TransferLearningHelper helper = new TransferLearningHelper(net, args[1]);
        DataSet images = new DataSet(Nd4j.createFromNpyFile(new File(args[2])), Nd4j.createFromNpyFile(new File(args[3])));
        int repsFeat = Integer.parseInt(args[7]);
        int repsFit = Integer.parseInt(args[8]);
        int stepsPerRep = Integer.parseInt(args[9]);
        double[] featurize = new double[repsFeat];
        for (int i = 0; i < repsFeat; i++) {
            long a = System.nanoTime();
            DataSet out = helper.featurize(images);
            out.getFeatures().sumNumber();
            featurize[i] = (System.nanoTime() - a) / 1e9;
            if (i == 0) Nd4j.writeAsNumpy(out.getFeatures(), new File(args[6]));
        }
        double[] fit = new double[repsFit];
        if (repsFit > 0) {
            DataSet feats = new DataSet(Nd4j.createFromNpyFile(new File(args[4])), Nd4j.createFromNpyFile(new File(args[5])));
            for (int i = 0; i < repsFit; i++) {
                long a = System.nanoTime();
                for (int s = 0; s < stepsPerRep; s++) helper.fitFeaturized(feats);
                fit[i] = (System.nanoTime() - a) / 1e9 / stepsPerRep;
            }
        }
        if (args.length > 11) EpochBench.writeHead(net, args[10], new File(args[11]));
        System.out.printf(Locale.ROOT, "{\"featurize_s\": %s, \"fit_featurized_s\": %s}%n",
                Arrays.toString(featurize), Arrays.toString(fit));
    }
}
