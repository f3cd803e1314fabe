package org.pydl4j.transfer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.dataset.DataSet;

/**
 * DL4J's own ParallelWrapper (deeplearning4j-parallel-wrapper 1.0.0-M2.1), run for the parity suite.
 *
 * <p>One race of DL4J's is taken out: a worker other than 0 builds its replica on its own thread, copying the
 * original model's params (DefaultTrainer#run), while worker 0 may already be training the original on the
 * first minibatch. In a cold JVM the copy usually comes after worker 0's first update (then the run differs
 * from every later one). {@link WorkerStartBarrier} holds every worker's first update until each worker has
 * computed its first gradient, which it can only do after its replica exists: every worker then starts
 * from the model's params, which is what the source intends ("we replicate original model params & updater
 * state"). Nothing else changes: DL4J's threads, queues, averaging and updater averaging run as they are.
 */
public final class ParallelTraining {
    private ParallelTraining() {}

    /** Waits, in each worker's first onGradientCalculation (before its first update), until {@code parties}
     * distinct models (the workers' replicas) have computed a gradient. */
    public static final class WorkerStartBarrier extends BaseTrainingListener {
        private final int parties;
        private final CountDownLatch latch;
        private final Map<Model, Boolean> seen = Collections.synchronizedMap(new IdentityHashMap<>());

        public WorkerStartBarrier(int parties) {
            this.parties = parties;
            this.latch = new CountDownLatch(parties);
        }

        @Override
        public void onGradientCalculation(Model model) {
            if (latch.getCount() == 0) return;
            if (seen.put(model, Boolean.TRUE) == null) latch.countDown();
            try {
                if (!latch.await(120, TimeUnit.SECONDS))
                    throw new IllegalStateException("WorkerStartBarrier: only " + seen.size() + " of " + parties
                            + " ParallelWrapper workers computed a first gradient within 120 s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@code new ParallelWrapper.Builder(model).workers(workers).averagingFrequency(averagingFrequency)
     * .prefetchBuffer(prefetch).averageUpdaters(averageUpdaters).reportScoreAfterAveraging(reportScore)
     * .trainingMode(mode).build()}, then {@code fit} over the minibatches in order, then {@code shutdown()}.
     * {@code barrierParties} > 0 adds {@link WorkerStartBarrier} (the number of workers that get a minibatch in
     * the first round).
     */
    public static void fit(Model model, DataSet[] minibatches, int workers, int averagingFrequency, int prefetch,
                           boolean averageUpdaters, boolean reportScore, String mode, int barrierParties) {
        List<TrainingListener> listeners = new ArrayList<>();
        if (model instanceof MultiLayerNetwork) listeners.addAll(((MultiLayerNetwork) model).getListeners());
        else listeners.addAll(((ComputationGraph) model).getListeners());
        if (barrierParties > 0) {
            listeners.add(new WorkerStartBarrier(barrierParties));
            model.setListeners(listeners);
        }
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(model).workers(workers)
                .averagingFrequency(averagingFrequency).prefetchBuffer(prefetch).averageUpdaters(averageUpdaters)
                .reportScoreAfterAveraging(reportScore).trainingMode(ParallelWrapper.TrainingMode.valueOf(mode))
                .build();
        try {
            List<DataSet> list = new ArrayList<>();
            for (DataSet d : minibatches) list.add(d);
            wrapper.fit(new ExistingDataSetIterator(list));
        } finally {
            wrapper.shutdown();
        }
    }
}
