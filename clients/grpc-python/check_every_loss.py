"""Calls every loss of loss-service through the Open Inference Protocol over gRPC, as a client written from the
standard grpc_predict_v2.proto would: the proto compiled with protoc --python_out, grpcio's channel, and each case
sent twice, with its tensors in raw_input_contents and in the typed contents. Every answer is compared with the
PyTorch vectors the case comes from.

    python3 check_every_loss.py --target 127.0.0.1:8081 --proto ../../src/main/proto/grpc_predict_v2.proto \\
        --vectors ../../src/test/resources/oracle

Needs grpcio and protobuf (Debian: python3-grpcio python3-protobuf) and protoc (protobuf-compiler). Exits 1 when
any case disagrees, after printing each disagreement.
"""
import argparse
import importlib
import json
import os
import struct
import subprocess
import sys
import tempfile

import grpc


def compile_proto(proto):
    out = tempfile.mkdtemp(prefix="grpc-predict-v2-")
    subprocess.run(["protoc", "-I", os.path.dirname(os.path.abspath(proto)), "--python_out", out,
                    os.path.basename(proto)], check=True)
    sys.path.insert(0, out)
    return importlib.import_module(os.path.splitext(os.path.basename(proto))[0] + "_pb2")


def snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def flatten(value, shape, level=0, out=None):
    out = [] if out is None else out
    if isinstance(value, list):
        if len(shape) == level:
            shape.append(len(value))
        for element in value:
            flatten(element, shape, level + 1, out)
    else:
        out.append(value)
    return out


def parameter(pb, value):
    p = pb.InferParameter()
    if isinstance(value, bool):
        p.bool_param = value
    elif isinstance(value, int):
        p.int64_param = value
    elif isinstance(value, float):
        p.double_param = value        # as tritonclient.grpc sends a float
    else:
        p.string_param = str(value)
    return p


def request_of(pb, model, body, raw):
    float64 = body.get("dtype") == "float64"
    request = pb.ModelInferRequest(model_name=model)
    for name, value in body.items():
        if name == "include":
            request.outputs.add(name="loss")
            for output in value:
                request.outputs.add(name=snake(output))
        elif isinstance(value, list):
            shape = []
            data = flatten(value, shape)
            integers = all(isinstance(v, int) and not isinstance(v, bool) for v in data)
            datatype = "INT64" if integers else "FP64" if float64 else "FP32"
            tensor = request.inputs.add(name=snake(name), datatype=datatype, shape=shape)
            code = {"INT64": "q", "FP64": "d", "FP32": "f"}[datatype]
            if raw:
                request.raw_input_contents.append(struct.pack("<%d%s" % (len(data), code), *data))
            elif datatype == "INT64":
                tensor.contents.int64_contents.extend(data)
            elif datatype == "FP64":
                tensor.contents.fp64_contents.extend(data)
            else:
                tensor.contents.fp32_contents.extend(data)
        elif value is not None:
            request.parameters[name if name == "dtype" else snake(name)].CopyFrom(parameter(pb, value))
    return request


def values_of(response, index):
    output = response.outputs[index]
    if len(response.raw_output_contents):
        raw = response.raw_output_contents[index]
        code, size = ("d", 8) if output.datatype == "FP64" else ("f", 4)
        return list(struct.unpack("<%d%s" % (len(raw) // size, code), raw))
    if output.datatype == "FP64":
        return list(output.contents.fp64_contents)
    return list(output.contents.fp32_contents)


def close(actual, expected, float64):
    atol, rtol = (1e-12, 1e-10) if float64 else (1e-6, 1e-5)
    return abs(actual - expected) <= atol + rtol * abs(expected)


def check(pb, call, model, case, raw):
    body = case["request"]
    expected = case["expected"]
    float64 = body.get("dtype") == "float64"
    response = call(request_of(pb, model, body, raw), timeout=60)
    problems = []
    names = [o.name for o in response.outputs]
    loss_undefined = expected.get("loss") is None or expected.get("loss") == "NaN"
    for index, name in enumerate(names):
        values = values_of(response, index)
        field = "loss" if name == "loss" else next(k for k in expected if snake(k) == name)
        want = expected[field]
        # An undefined mean has no loss and no gradient (shape [0]), whatever torch's gradient holds.
        undefined = want is None or want == "NaN" or (isinstance(want, list) and "NaN" in flatten(want, []))
        if undefined or (name == "gradient" and loss_undefined and expected.get("reduction") == "mean"):
            if values:
                problems.append("%s: expected no elements (undefined), got %d" % (name, len(values)))
            continue
        wanted = flatten(want, []) if isinstance(want, list) else [want]
        if len(values) != len(wanted):
            problems.append("%s: %d elements, expected %d" % (name, len(values), len(wanted)))
            continue
        for i, (a, e) in enumerate(zip(values, wanted)):
            if not close(a, e, float64):
                problems.append("%s[%d]: %r, expected %r" % (name, i, a, e))
                break
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--proto", required=True)
    parser.add_argument("--vectors", required=True)
    arguments = parser.parse_args()

    pb = compile_proto(arguments.proto)
    channel = grpc.insecure_channel(arguments.target, options=[("grpc.max_receive_message_length", 128 << 20)])
    call = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer",
                               request_serializer=pb.ModelInferRequest.SerializeToString,
                               response_deserializer=pb.ModelInferResponse.FromString)
    ready = channel.unary_unary("/inference.GRPCInferenceService/ServerReady",
                                request_serializer=pb.ServerReadyRequest.SerializeToString,
                                response_deserializer=pb.ServerReadyResponse.FromString)
    if not ready(pb.ServerReadyRequest(), timeout=30).ready:
        print("the server is not ready")
        return 1

    failures = 0
    checked = {}
    for file in sorted(f for f in os.listdir(arguments.vectors) if f.endswith(".json")):
        with open(os.path.join(arguments.vectors, file)) as stream:
            cases = json.load(stream)["cases"]
        for case in cases:
            body = case.get("request")
            if case.get("expected_status") != 200 or not isinstance(body, dict):
                continue
            model = case.get("endpoint", "/v1/losses/cross-entropy").rsplit("/", 1)[1]
            for raw in (True, False):
                try:
                    problems = check(pb, call, model, case, raw)
                except grpc.RpcError as error:
                    problems = ["%s: %s" % (error.code(), error.details())]
                form = "raw" if raw else "typed"
                checked[model] = checked.get(model, 0) + 1
                if problems:
                    failures += 1
                    print("FAIL %s %s (%s): %s" % (model, case["name"], form, "; ".join(problems[:3])))
    for model, count in sorted(checked.items()):
        print("%s: %d calls" % (model, count))
    print("%d calls, %d failed" % (sum(checked.values()), failures))
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
