package org.pydl4j.transfer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The coarse facade that pydl4j_transfer.dl4j_backend calls through JPype.
 *
 * <p>Every method takes and returns whole things (paths, JSON strings, whole arrays), so the
 * Python side never walks Java object graphs element by element. Arrays cross as direct
 * byte buffers in native byte order: one bulk copy each way.
 */
public final class Facade {
    private Facade() {}

    /** The DL4J version of the jars on the classpath, as Maven recorded it. */
    public static String dl4jVersion() {
        String v = MultiLayerNetwork.class.getPackage().getImplementationVersion();
        if (v != null) return v;
        String res = "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties";
        try (InputStream in = MultiLayerNetwork.class.getResourceAsStream(res)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    /** The ND4J backend in use (e.g. "CpuBackend") and its BLAS vendor. */
    public static String nd4jBackend() {
        return Nd4j.getBackend().getClass().getSimpleName() + " / " + Nd4j.factory().blas().getBlasVendor();
    }

    // ---------------------------------------------------------------- arrays

    /** A new 'c'-order INDArray holding a copy of {@code bytes} (native byte order). */
    public static INDArray fromBuffer(ByteBuffer bytes, String dtype, long[] shape) {
        DataType dt = DataType.valueOf(dtype);
        INDArray out = Nd4j.create(dt, shape, 'c');
        if (out.length() > 0) {
            ByteBuffer dst = out.data().asNio();
            ByteBuffer src = bytes.duplicate();
            src.rewind();
            dst.rewind();
            dst.put(src);
        }
        return out;
    }

    /** A direct buffer over a 'c'-order copy of {@code arr}; valid while the returned array lives. */
    public static INDArray contiguous(INDArray arr) {
        if (arr.ordering() == 'c' && !arr.isView() && arr.data().offset() == 0
                && arr.data().length() == arr.length()) {
            return arr;
        }
        return arr.dup('c');
    }

    /** The raw bytes of a contiguous array (see {@link #contiguous}), as a direct buffer. */
    public static ByteBuffer bufferOf(INDArray contiguousArr) {
        ByteBuffer bb = contiguousArr.data().asNio();
        bb.rewind();
        bb.limit((int) (contiguousArr.length() * contiguousArr.dataType().width()));
        return bb;
    }

    // ---------------------------------------------------------------- models

    /** True if the zip's configuration.json describes a ComputationGraph. */
    public static boolean isComputationGraphZip(String path) throws IOException {
        try (ZipFile zf = new ZipFile(path)) {
            ZipEntry e = zf.getEntry("configuration.json");
            if (e == null) throw new IOException("no configuration.json in " + path);
            try (InputStream in = zf.getInputStream(e)) {
                String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return json.contains("\"vertices\"") && json.contains("\"networkInputs\"");
            }
        }
    }

    /** Mirrors ModelSerializer.restoreMultiLayerNetwork / restoreComputationGraph, chosen by the zip. */
    public static Model restore(String path, boolean loadUpdater) throws IOException {
        File f = new File(path);
        if (isComputationGraphZip(path)) return ModelSerializer.restoreComputationGraph(f, loadUpdater);
        return ModelSerializer.restoreMultiLayerNetwork(f, loadUpdater);
    }

    /** Mirrors ModelSerializer.writeModel(model, file, saveUpdater). */
    public static void save(Model model, String path, boolean saveUpdater) throws IOException {
        ModelSerializer.writeModel(model, new File(path), saveUpdater);
    }

    /** A network from configuration JSON, initialised with {@code params} (or DL4J's init if null). */
    public static Model fromJson(String json, INDArray params) {
        if (json.contains("\"vertices\"") && json.contains("\"networkInputs\"")) {
            ComputationGraph cg = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
            cg.init(params, true);
            return cg;
        }
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        net.init(params, true);
        return net;
    }

    public static String configurationJson(Model model) {
        if (model instanceof ComputationGraph) return ((ComputationGraph) model).getConfiguration().toJson();
        return ((MultiLayerNetwork) model).getLayerWiseConfigurations().toJson();
    }

    public static INDArray params(Model model) {
        return model.params();
    }

    public static INDArray updaterState(Model model) {
        if (model instanceof ComputationGraph) {
            ComputationGraph cg = (ComputationGraph) model;
            return cg.getUpdater() == null ? null : cg.getUpdater().getStateViewArray();
        }
        MultiLayerNetwork net = (MultiLayerNetwork) model;
        return net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
    }

    /** Mirrors MultiLayerNetwork#output(INDArray, boolean) and ComputationGraph#output(boolean, INDArray...). */
    public static INDArray[] output(Model model, INDArray[] inputs, boolean train) {
        if (model instanceof ComputationGraph) return ((ComputationGraph) model).output(train, inputs);
        return new INDArray[] {((MultiLayerNetwork) model).output(inputs[0], train)};
    }

    /** Runs {@code steps} fit calls on one minibatch; returns the score after the last. */
    public static double fit(Model model, INDArray[] features, INDArray[] labels, int steps) {
        for (int i = 0; i < steps; i++) {
            if (model instanceof ComputationGraph) {
                ((ComputationGraph) model).fit(new MultiDataSet(features, labels));
            } else {
                ((MultiLayerNetwork) model).fit(new DataSet(features[0], labels[0]));
            }
        }
        return model.score();
    }
}
