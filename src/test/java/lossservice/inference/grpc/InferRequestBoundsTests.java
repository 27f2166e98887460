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
        InferParameter.Builder parameter = InferParameter.newBuilder();
        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        for (int i = 0; i <= InferRequestBounds.MAX_FIELDS; i++) {
            unknown.write(6 << 3); // field 6 of InferParameter (unknown), a varint
            unknown.write(1);
        }
        ModelInferRequest.Builder request = valid();
        request.getInputsBuilder(0).putParameters("p", parameter.build());
        byte[] message = request.build().toByteArray();
        // Put the unknown fields inside the parameter's message: rebuild the request with them as its bytes.
        ModelInferRequest.InferInputTensor input = request.getInputs(0).toBuilder().clearParameters().build();
        ByteString entryValue = ByteString.copyFrom(unknown.toByteArray());
        ByteArrayOutputStream entry = new ByteArrayOutputStream();
        entry.write(2 << 3 | 2); // map entry's value
        writeVarint(entry, entryValue.size());
        entry.writeBytes(entryValue.toByteArray());
        ByteArrayOutputStream inputBytes = new ByteArrayOutputStream();
        inputBytes.writeBytes(input.toByteArray());
        inputBytes.write(4 << 3 | 2); // the input's parameters
        writeVarint(inputBytes, entry.size());
        inputBytes.writeBytes(entry.toByteArray());
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.write(5 << 3 | 2);
        writeVarint(whole, inputBytes.size());
        whole.writeBytes(inputBytes.toByteArray());

        assertThat(check(message)).isNull();
        assertThat(check(whole.toByteArray()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void typedContentsBeyondTheElementLimitAreRefusedPackedOrNot() {
        ModelInferRequest.Builder packed = valid();
        InferTensorContents.Builder many = InferTensorContents.newBuilder();
        for (int i = 0; i <= MAX_ELEMENTS + InferRequestBounds.MAX_FIELDS; i++) {
            many.addInt64Contents(0);
        }
        packed.getInputsBuilder(1).setContents(many);
        assertThat(check(packed.build().toByteArray()).getDescription()).contains("more than 1000 numbers");

        ByteArrayOutputStream contents = new ByteArrayOutputStream();
        for (int i = 0; i <= MAX_ELEMENTS + InferRequestBounds.MAX_FIELDS; i++) {
            contents.write(3 << 3); // int64_contents, unpacked
            contents.write(0);
        }
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.write(5 << 3 | 2);
        writeVarint(input, contents.size());
        input.writeBytes(contents.toByteArray());
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(5 << 3 | 2);
        writeVarint(request, input.size());
        request.writeBytes(input.toByteArray());
        assertThat(check(request.toByteArray()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void groupsAreRefusedAndBytesThatAreNotWellFormedAreLeftToTheParser() {
        assertThat(check(new byte[] {(byte) (9 << 3 | 3)}).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        byte[] valid = valid().build().toByteArray();
        assertThat(check(java.util.Arrays.copyOf(valid, valid.length - 3))).isNull();
        assertThat(check(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})).isNull();
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7f) != 0) {
            out.write(value & 0x7f | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }
}
