package org.dl4jnode.samediff.runtime;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseTransformOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.shape.Reshape;
import org.nd4j.linalg.api.ops.impl.transforms.BaseDynamicTransformOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites of a flattened graph into ops that compute the same values faster on libnd4j, applied when a
 * graph is compiled; the SameDiff graph itself is untouched and stays the definition.
 *
 * <p>Measured on a 2-core x86-64 machine with the oneDNN build of ND4J 1.0.0-M2.1, float32, a
 * {@code [128, 64]} state and 64 hidden units (microseconds per call):
 * <ul>
 *   <li>SameDiff's {@code tanh} is a legacy transform that never reaches oneDNN (55); the custom op
 *       {@code tanh} of the same name does (10).</li>
 *   <li>{@code matmul} through oneDNN builds a primitive at every call (17); libnd4j's own path to the
 *       BLAS is close to a bare sgemm (9.5 against 8), so matrix products run without platform helpers.</li>
 *   <li>{@code matmul_bp} runs both products through oneDNN whatever the context allows (40); as two
 *       {@code matmul} ops it costs about 25, and a product nothing reads (the gradient of a basis
 *       vector psi(t), say) is dropped.</li>
 * </ul>
 * After the rewrites, ops whose outputs nothing reads are removed.
 */
final class GraphRewrite {

    private GraphRewrite() {
    }

    /**
     * The rewritten op list, in an order that still computes every input before it is read.
     *
     * @param graph   the graph the ops come from (for variable ranks)
     * @param ops     the flattened ops, forward segment first
     * @param outputs the variables the caller reads; every op they need is kept
     */
    static List<OpNode> apply(SameDiff graph, List<OpNode> ops, Collection<String> outputs) {
        List<OpNode> rewritten = new ArrayList<>(ops.size() + 4);
        for (OpNode node : ops) {
            DifferentialFunction op = node.op();
            if (op instanceof Tanh && node.inputs().length == 1) {
                rewritten.add(custom("tanh", node.inputs(), node.outputs(), node.backward(), true));
            } else if ("matmul".equals(node.name())) {
                rewritten.add(new OpNode(op, node.inputs(), node.outputs(), node.backward(), false, false));
            } else if ("matmul_bp".equals(node.name()) && splitsIntoProducts(graph, node)) {
                rewritten.addAll(products(node));
            } else {
                rewritten.add(node);
            }
        }
        return withoutUnread(rewritten, outputs);
    }

    /**
     * True for {@code matmul_bp} of two rank-2 variables with no transposed result and no scaling:
     * the case whose gradients are two plain products.
     */
    private static boolean splitsIntoProducts(SameDiff graph, OpNode node) {
        DynamicCustomOp op = (DynamicCustomOp) node.op();
        long[] iArgs = op.iArgs();
        double[] tArgs = op.tArgs();
        boolean plainProduct = (iArgs.length < 3 || iArgs[2] == 0)
                && (tArgs.length == 0 || (tArgs[0] == 1.0 && (tArgs.length < 2 || tArgs[1] == 0.0)));
        return plainProduct && node.inputs().length == 3 && node.outputs().length == 2
                && rank(graph, node.inputs()[0]) == 2 && rank(graph, node.inputs()[1]) == 2;
    }

    /**
     * A variable's rank: its declared shape's, or for the output of an element-wise op or a matrix
     * product the largest of its inputs' ranks (SameDiff records no shapes of computed variables);
     * -1 when unknown.
     */
    static int rank(SameDiff graph, String name) {
        SDVariable v = graph.getVariable(name);
        if (v == null) {
            return -1;
        }
        long[] shape = v.getShape();
        if (shape != null) {
            return shape.length;
        }
        DifferentialFunction producer = graph.getVariableOutputOp(name);
        if (producer instanceof Reshape reshape) {
            return reshapedRank(graph, reshape);
        }
        boolean preservesRank = producer instanceof BaseTransformOp || producer instanceof BaseDynamicTransformOp
                || producer instanceof Mmul;
        if (!preservesRank || producer.argNames() == null || producer.outputVariablesNames().length != 1) {
            return -1;
        }
        int rank = -1;
        for (String in : producer.argNames()) {
            int r = rank(graph, in);
            if (r < 0) {
                return -1;
            }
            rank = Math.max(rank, r);
        }
        return rank;
    }

    /**
     * The gradients of {@code z = op(x) op(y)} (op: transpose where the flag says) as two products of
     * the upstream gradient {@code e}: without transposes {@code dx = e y^T}, {@code dy = x^T e}; with
     * {@code x} transposed {@code dx = y e^T}, {@code dy = x e}; with {@code y} transposed
     * {@code dx = e y}, {@code dy = e^T x}; with both {@code dx = y^T e^T}, {@code dy = e^T x^T}.
     */
    private static List<OpNode> products(OpNode node) {
        long[] iArgs = ((DynamicCustomOp) node.op()).iArgs();
        boolean tx = iArgs.length > 0 && iArgs[0] != 0;
        boolean ty = iArgs.length > 1 && iArgs[1] != 0;
        String x = node.inputs()[0];
        String y = node.inputs()[1];
        String e = node.inputs()[2];
        String[] dx = {node.outputs()[0]};
        String[] dy = {node.outputs()[1]};
        OpNode gx;
        OpNode gy;
        if (!tx && !ty) {
            gx = matmul(e, y, false, true, dx, node.backward());
            gy = matmul(x, e, true, false, dy, node.backward());
        } else if (tx && !ty) {
            gx = matmul(y, e, false, true, dx, node.backward());
            gy = matmul(x, e, false, false, dy, node.backward());
        } else if (!tx) {
            gx = matmul(e, y, false, false, dx, node.backward());
            gy = matmul(e, x, true, false, dy, node.backward());
        } else {
            gx = matmul(y, e, true, true, dx, node.backward());
            gy = matmul(e, x, true, true, dy, node.backward());
        }
        return List.of(gx, gy);
    }

    /**
     * The rank a reshape gives: the length of its shape, given as integer arguments (after the order
     * flag, -99 for 'c' or -102 for 'f') or as a constant; -1 otherwise.
     */
    private static int reshapedRank(SameDiff graph, Reshape reshape) {
        String[] args = reshape.argNames();
        long[] iArgs = reshape.iArgs();
        if (args.length == 1 && iArgs.length > 0) {
            boolean orderFlag = iArgs[0] == -'c' || iArgs[0] == -'f';
            return iArgs.length - (orderFlag ? 1 : 0);
        }
        if (args.length == 2 && graph.getVariable(args[1]).getVariableType() == VariableType.CONSTANT) {
            INDArray shape = graph.getArrForVarName(args[1]);
            return shape == null ? -1 : (int) shape.length();
        }
        return -1;
    }

    private static OpNode matmul(String a, String b, boolean transposeA, boolean transposeB, String[] out,
                                 boolean backward) {
        DynamicCustomOp op = DynamicCustomOp.builder("matmul")
                .addIntegerArguments(transposeA ? 1 : 0, transposeB ? 1 : 0, 0)
                .build();
        return new OpNode(op, new String[] {a, b}, out, backward, false, false);
    }

    private static OpNode custom(String name, String[] inputs, String[] outputs, boolean backward, boolean helpers) {
        return new OpNode(DynamicCustomOp.builder(name).build(), inputs, outputs, backward, false, helpers);
    }

    /** Drops, last to first, every op none of whose outputs is read by a kept op or by the caller. */
    private static List<OpNode> withoutUnread(List<OpNode> ops, Collection<String> outputs) {
        Set<String> read = new HashSet<>(outputs);
        List<OpNode> kept = new ArrayList<>(ops.size());
        for (int k = ops.size() - 1; k >= 0; k--) {
            OpNode node = ops.get(k);
            boolean needed = false;
            for (String out : node.outputs()) {
                needed |= read.contains(out);
            }
            if (needed) {
                kept.add(0, node);
                read.addAll(List.of(node.inputs()));
            }
        }
        return kept;
    }
}
