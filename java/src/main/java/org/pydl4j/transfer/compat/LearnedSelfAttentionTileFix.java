package org.pydl4j.transfer.compat;

import java.util.Map;

import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J 1.0.0-M2.1's LearnedSelfAttentionLayer with one op replaced, so that real DL4J can run it.
 *
 * <p>M2.1's {@code defineLayer} builds the tile repetitions {@code [mb, 1, 1]} with
 * {@code sd.scatterUpdate(sd.onesLike(input.shape()), sd.constant(0), batchSize)}, which libnd4j refuses
 * ("scatter_update: Number of Integer arguments should be positive number, but got 0 arguments"), so no
 * network with the layer can run its forward pass. This class builds the same repetitions with a concat
 * and is otherwise DL4J's code: the same parameters, the same (multi-head) dot-product attention ops, the
 * same SameDiff runtime (forward, backprop, updaters). The parity tests and fixtures use it as the judge
 * for LearnedSelfAttentionLayer; its JSON differs from DL4J's only in {@code "@class"}.
 */
public class LearnedSelfAttentionTileFix extends LearnedSelfAttentionLayer {

    /** For Jackson: the fields are set from the JSON afterwards. */
    public LearnedSelfAttentionTileFix() {
        super(new LearnedSelfAttentionLayer.Builder().nHeads(1));
    }

    /** From DL4J's own builder: its checks run (build()), then the same fields are taken. */
    public static LearnedSelfAttentionTileFix of(LearnedSelfAttentionLayer.Builder builder) {
        builder.build();
        return new LearnedSelfAttentionTileFix(builder);
    }

    protected LearnedSelfAttentionTileFix(LearnedSelfAttentionLayer.Builder builder) {
        super(builder);
    }

    @Override
    public SDVariable defineLayer(SameDiff sameDiff, SDVariable layerInput, Map<String, SDVariable> paramTable,
                                  SDVariable mask) {
        SDVariable baseQueries = paramTable.get("Q");
        SDVariable batchSize = layerInput.shape().get(SDIndex.point(0));
        SDVariable reps = sameDiff.concat(0, sameDiff.reshape(batchSize, 1L),
                sameDiff.constant(Nd4j.createFromArray(1L, 1L)));
        SDVariable queries = sameDiff.tile(baseQueries, reps);
        if (isProjectInput()) {
            return sameDiff.nn.multiHeadDotProductAttention(getLayerName(), queries, layerInput, layerInput,
                    paramTable.get("Wq"), paramTable.get("Wk"), paramTable.get("Wv"), paramTable.get("Wo"), mask, true);
        }
        return sameDiff.nn.dotProductAttention(getLayerName(), queries, layerInput, layerInput, mask, true);
    }
}
