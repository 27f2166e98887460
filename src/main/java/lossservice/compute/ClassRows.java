package lossservice.compute;

import lossservice.loss.DType;
import lossservice.loss.Tensor;

/**
 * Scores per class of shape [N, C, d1..dk] as the matrix a kernel works on: N * d1 * .. * dk rows of C, one row per
 * position (n, d1..dk) in that order, the class axis last. Without spatial dimensions the two are the same
 * buffer; otherwise the elements are moved once on the way in and once on the way out. Arrays per position
 * ([N, d1..dk], class indices and per-sample losses) are already in row order.
 */
public final class ClassRows {

    private ClassRows() {
    }

    /** The number of rows: N times the spatial size. */
    public static int rows(int[] shape) {
        return shape[0] * spatialSize(shape);
    }

    /** [N, C, d1..dk] as rows of C. */
    public static Tensor toRows(Tensor scores) {
        int[] shape = scores.shape();
        int n = shape[0];
        int c = shape[1];
        int spatial = spatialSize(shape);
        if (spatial == 1) {
            return scores.reshape(n, c);
        }
        Tensor rows = Tensor.allocate(scores.dtype(), n * spatial, c);
        move(scores, rows, n, c, spatial, true);
        return rows;
    }

    /** Rows of C back to the shape [N, C, d1..dk]. */
    public static Tensor fromRows(Tensor rows, int[] shape) {
        int n = shape[0];
        int c = shape[1];
        int spatial = spatialSize(shape);
        if (spatial == 1) {
            return rows.reshape(shape);
        }
        Tensor scores = Tensor.allocate(rows.dtype(), shape);
        move(scores, rows, n, c, spatial, false);
        return scores;
    }

    /** The shape [N, d1..dk] of per-position arrays. */
    public static int[] positions(int[] shape) {
        int[] positions = new int[shape.length - 1];
        positions[0] = shape[0];
        System.arraycopy(shape, 2, positions, 1, shape.length - 2);
        return positions;
    }

    private static int spatialSize(int[] shape) {
        int size = 1;
        for (int axis = 2; axis < shape.length; axis++) {
            size *= shape[axis];
        }
        return size;
    }

    /** scores[n][cls][e] <-> rows[n * spatial + e][cls], in the direction asked. */
    private static void move(Tensor scores, Tensor rows, int n, int c, int spatial, boolean intoRows) {
        boolean float32 = scores.dtype() == DType.FLOAT32;
        int at = 0;
        for (int sample = 0; sample < n; sample++) {
            for (int cls = 0; cls < c; cls++) {
                int row = sample * spatial;
                for (int element = 0; element < spatial; element++, at++) {
                    int rowIndex = (row + element) * c + cls;
                    if (intoRows) {
                        if (float32) {
                            rows.setFloat(rowIndex, scores.getFloat(at));
                        } else {
                            rows.set(rowIndex, scores.get(at));
                        }
                    } else if (float32) {
                        scores.setFloat(at, rows.getFloat(rowIndex));
                    } else {
                        scores.set(at, rows.get(rowIndex));
                    }
                }
            }
        }
    }
}
