package lossservice.inference.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;

import com.google.protobuf.ByteString;

import io.grpc.Status;
import lossservice.grpc.v2.InferParameter;
import lossservice.grpc.v2.InferTensorContents;
import lossservice.grpc.v2.ModelInferRequest;

import org.junit.jupiter.api.Test;

class InferRequestBoundsTests {

    private static final long MAX_ELEMENTS = 1_000;

    private static ModelInferRequest.Builder valid() {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("cross-entropy")
                .putParameters("epsilon", InferParameter.newBuilder().setDoubleParam(0.1).build());
        request.addInputsBuilder().setName("logits").setDatatype("FP32").addShape(2).addShape(3)
                .setContents(InferTensorContents.newBuilder().addAllFp32Contents(java.util.List.of(1f, 2f, 3f, 4f, 5f, 6f)));
        request.addInputsBuilder().setName("targets").setDatatype("INT64").addShape(2)
                .setContents(InferTensorContents.newBuilder().addInt64Contents(0).addInt64Contents(2));
        request.addOutputsBuilder().setName("loss");
        return request;
    }

    private static Status check(byte[] message) {
        return InferRequestBounds.check(message, message.length, MAX_ELEMENTS);
    }

    @Test
    void aRequestWithinTheBoundsIsLeftToTheParser() {
        assertThat(check(valid().build().toByteArray())).isNull();
        assertThat(check(valid().addRawInputContents(ByteString.copyFrom(new byte[1 << 20])).build().toByteArray()))
                .as("raw contents are one field, whatever their size").isNull();
    }

    @Test
    void manyEmptyInputsOrUnknownFieldsAreRefusedBeforeParsing() {
        ByteArrayOutputStream inputs = new ByteArrayOutputStream();
        inputs.writeBytes(valid().build().toByteArray());
        for (int i = 0; i <= InferRequestBounds.MAX_FIELDS; i++) {
            inputs.write(5 << 3 | 2); // inputs, an empty message
            inputs.write(0);
        }
        assertThat(check(inputs.toByteArray()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        for (int i = 0; i <= InferRequestBounds.MAX_FIELDS; i++) {
            unknown.write(99 << 3 & 0x7f | 0x80); // field 99, a varint: a two-byte tag, then 0
            unknown.write(99 >>> 4);
            unknown.write(0);
        }
        assertThat(check(unknown.toByteArray()).getDescription()).contains("more than 65536 fields");
    }

    @Test
    void fieldsInsideAParameterOfAnInputCount() {
        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        for (int i = 0; i <= InferRequestBounds.MAX_FIELDS; i++) {
            unknown.write(6 << 3); // field 6 of InferParameter (unknown), a varint
            unknown.write(1);
        }
        ModelInferRequest.Builder request = valid();
        request.getInputsBuilder(0).putParameters("p", InferParameter.getDefaultInstance());
        // The unknown fields inside the value of a parameter of the first input.
        ModelInferRequest.InferInputTensor input = request.getInputs(0).toBuilder().clearParameters().build();
        byte[] parameters = concat(input.toByteArray(), field(4, field(2, unknown.toByteArray())));
        byte[] whole = field(5, parameters);

        assertThat(check(request.build().toByteArray())).isNull();
        assertThat(check(whole).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void typedContentsBeyondTheElementLimitAreRefusedPackedOrNot() {
        // The logits hold 6 numbers: targets of MAX_ELEMENTS - 6 fill the limit exactly, one more is over it.
        ModelInferRequest.Builder packed = valid();
        InferTensorContents.Builder many = InferTensorContents.newBuilder();
        for (int i = 0; i < MAX_ELEMENTS - 6; i++) {
            many.addInt64Contents(0);
        }
        packed.getInputsBuilder(1).setContents(many);
        assertThat(check(packed.build().toByteArray())).isNull();
        packed.getInputsBuilder(1).setContents(many.addInt64Contents(0));
        assertThat(check(packed.build().toByteArray()).getDescription()).contains("more than 1000 numbers");

        ByteArrayOutputStream contents = new ByteArrayOutputStream();
        for (int i = 0; i <= MAX_ELEMENTS + InferRequestBounds.MAX_FIELDS; i++) {
            contents.write(3 << 3); // int64_contents, unpacked
            contents.write(0);
        }
        byte[] request = field(5, field(5, contents.toByteArray())); // an input whose contents are unpacked
        assertThat(check(request).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void shapesOfMoreNumbersThanFieldsAreRefused() {
        ModelInferRequest.Builder request = valid();
        for (int i = 0; i < InferRequestBounds.MAX_FIELDS; i++) {
            request.getInputsBuilder(0).addShape(1); // packed: one field, many numbers
        }
        assertThat(check(request.build().toByteArray()).getDescription()).contains("shapes of the request hold more");
    }

    @Test
    void groupsAreRefusedAndBytesThatAreNotWellFormedAreLeftToTheParser() {
        assertThat(check(new byte[] {(byte) (9 << 3 | 3)}).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        byte[] valid = valid().build().toByteArray();
        assertThat(check(java.util.Arrays.copyOf(valid, valid.length - 3))).isNull();
        assertThat(check(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})).isNull();
    }

    /** Field {@code number} of a message, length-delimited, holding {@code payload}. */
    private static byte[] field(int number, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(number << 3 | 2);
        int length = payload.length;
        while ((length & ~0x7f) != 0) {
            out.write(length & 0x7f | 0x80);
            length >>>= 7;
        }
        out.write(length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
