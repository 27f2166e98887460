package lossservice.compute;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/** A prepared operation is reused only for the arrays and parameters it was made with. */
class PreparedOpsTests {

    @Test
    void aReusedOperationReadsTheArraysCurrentValues() {
        INDArray left = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
        INDArray right = Nd4j.createFromArray(new float[][] {{10, 10}, {10, 10}});
        INDArray product = Nd4j.createUninitialized(DataType.FLOAT, 2, 2);

        multiply(left, right, product);
        assertThat(product.toFloatMatrix()).isEqualTo(new float[][] {{10, 20}, {30, 40}});

        left.assign(Nd4j.createFromArray(new float[][] {{-1, 0}, {5, 6}}));
        multiply(left, right, product);
        assertThat(product.toFloatMatrix()).isEqualTo(new float[][] {{-10, 0}, {50, 60}});
    }

    @Test
    void otherArraysForTheSameRoleGetAnOperationOfTheirOwn() {
        INDArray product = Nd4j.createUninitialized(DataType.FLOAT, 2, 2);
        multiply(Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}}), Nd4j.createFromArray(new float[][] {{2, 2}, {2, 2}}),
                product);

        INDArray wider = Nd4j.createUninitialized(DataType.FLOAT, 1, 3);
        multiply(Nd4j.createFromArray(new float[][] {{1, 2, 3}}), Nd4j.createFromArray(new float[][] {{3, 3, 3}}), wider);

        assertThat(wider.toFloatMatrix()).isEqualTo(new float[][] {{3, 6, 9}});
        assertThat(product.toFloatMatrix()).isEqualTo(new float[][] {{2, 4}, {6, 8}});
    }

    @Test
    void otherParametersGetAnOperationOfTheirOwn() {
        INDArray matrix = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 1);
        INDArray rowSums = Nd4j.zeros(DataType.FLOAT, 2, 1);

        scaledRowSums(matrix, ones, rowSums, 1.0);
        assertThat(rowSums.toFloatVector()).containsExactly(3, 7);
        scaledRowSums(matrix, ones, rowSums, -2.0);
        assertThat(rowSums.toFloatVector()).containsExactly(-6, -14);
        scaledRowSums(matrix, ones, rowSums, 1.0);
        assertThat(rowSums.toFloatVector()).containsExactly(3, 7);
    }

    private static void multiply(INDArray left, INDArray right, INDArray product) {
        PreparedOps.exec("test-multiply", new INDArray[] {left, right}, new INDArray[] {product},
                PreparedOps.NO_PARAMETERS, () -> new MulOp(new INDArray[] {left, right}, new INDArray[] {product}));
    }

    private static void scaledRowSums(INDArray matrix, INDArray ones, INDArray rowSums, double alpha) {
        PreparedOps.exec("test-row-sums", new INDArray[] {matrix, ones}, new INDArray[] {rowSums},
                new double[] {alpha}, () -> new Mmul(matrix, ones, rowSums, alpha, 0.0, MMulTranspose.allFalse()));
    }
}
