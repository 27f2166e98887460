"""Every loss of the service's catalogue (GET /v1/losses) is a method and a function of the client, with the
catalogue's parameters, and computes the same numbers through JSON and through V2 binary tensors."""

from __future__ import annotations

import inspect
import json
import unittest
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import loss_service_client
from loss_service_client import InvalidRequestError, LossServiceClient, LossSpec, snapshot_catalogue
from loss_service_client import catalogue as catalogue_module
from loss_service_client import _generated, generate
from loss_service_client._generated import CATALOGUE as GENERATED_DOCUMENT, GeneratedLosses

from .support import CE_ANSWER, StandInServer, json_answer, needs_numpy, numpy, service_url

REGENERATE = "python3 -m loss_service_client.generate --url URL (in clients/python)"


def signature_summary(function: Any, skip_self: bool = True) -> Tuple[List[Tuple[str, Any]], Dict[str, Any]]:
    """(positional parameters with defaults in order, keyword-only parameters with defaults); ``**`` as ``"**"``."""
    positional, keyword = [], {}
    signature = function if isinstance(function, inspect.Signature) else inspect.signature(function)
    for parameter in signature.parameters.values():
        if skip_self and parameter.name == "self":
            continue
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            keyword["**"] = parameter.name
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keyword[parameter.name] = parameter.default
        else:
            positional.append((parameter.name, parameter.default))
    return positional, keyword


def contract_of(spec: LossSpec) -> Dict[str, Any]:
    """What the client's signatures and mapping depend on in a catalogue entry (descriptions left out)."""
    return {
        "inputs": [(item.name, item.tensor, item.required, sorted(item.kinds)) for item in spec.inputs],
        "scalars": sorted((item.name, item.parameter, item.type, item.default) for item in spec.scalars),
        "reductions": sorted(spec.reductions),
        "defaultReduction": spec.default_reduction,
        "outputs": sorted((item.name, item.tensor, item.by_default, item.unreduced) for item in spec.outputs),
        "path": spec.path,
        "model": spec.model,
    }


class CatalogueCoverageTests(unittest.TestCase):
    """The client has every loss, input, scalar and output the running service lists."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = LossServiceClient(service_url())
        cls.served = cls.client.catalogue()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()

    def test_the_service_lists_the_losses_it_serves(self) -> None:
        self.assertEqual(self.served.source, self.client.base_url)
        self.assertGreaterEqual(set(self.served.names()), {"cross-entropy", "binary-cross-entropy"})

    def test_every_loss_of_the_service_is_a_method_with_its_parameters(self) -> None:
        for spec in self.served:
            with self.subTest(spec.name):
                method = getattr(self.client, spec.python_name)
                self.assertEqual(signature_summary(method), signature_summary(catalogue_module.signature(spec)),
                                 f"{spec.name}: the method's parameters differ from GET /v1/losses")

    def test_every_loss_of_the_service_is_a_module_function_with_its_parameters(self) -> None:
        for spec in self.served:
            with self.subTest(spec.name):
                self.assert_written_out(spec)
                function = getattr(loss_service_client, spec.python_name)
                expected = catalogue_module.signature(spec, module_function=True)
                self.assertEqual(signature_summary(function), signature_summary(expected))

    def test_every_loss_of_the_service_is_generated_as_it_is_served(self) -> None:
        """A loss generated from the service must still have the service's inputs, scalars, defaults and outputs: a
        change of the service's definition fails here until the methods are generated again. A loss the service
        serves that was not generated from it (new, or generated from the API contract before it was served and
        served otherwise) works from the service's catalogue and is reported as skipped, naming the command."""
        for spec in self.served:
            with self.subTest(spec.name):
                self.assert_written_out(spec)
                written = snapshot_catalogue().get(spec.name)
                self.assertEqual(contract_of(written), contract_of(spec),
                                 f"{spec.name} is generated from another catalogue than the service's: run {REGENERATE}")
                method = vars(GeneratedLosses).get(spec.python_name)
                self.assertIsNotNone(method, f"{spec.python_name} is not written out: run {REGENERATE}")
                self.assertEqual(signature_summary(method), signature_summary(catalogue_module.signature(spec)))

    def assert_written_out(self, spec: LossSpec) -> None:
        """A loss the service serves must be written out: it works without (its method is made from the service's
        catalogue), but then help(), IDEs and type checkers do not see it, so the tests fail until it is."""
        self.assertIn(spec.name, snapshot_catalogue(),
                      f"{spec.name}: served, not written out in _generated.py; run {REGENERATE}")


class GeneratedFileTests(unittest.TestCase):
    """_generated.py is exactly what the generator writes from the catalogue it holds (no hand edits)."""

    def test_the_generated_file_is_the_generators_output(self) -> None:
        path = Path(generate.__file__).with_name("_generated.py")
        losses = GENERATED_DOCUMENT["losses"]
        self.assertEqual(path.read_text(encoding="utf-8"),
                         generate.render({"losses": losses}))

    def test_the_package_exports_each_generated_function_by_name(self) -> None:
        """__init__.py imports the module functions of _generated.py by name (a star import hides them from linters)
        and lists them in __all__ (which type checkers read): the lines the generator writes there, unedited."""
        path = Path(generate.__file__).with_name("__init__.py")
        text = path.read_text(encoding="utf-8")
        self.assertEqual(text, generate.exports(text, GENERATED_DOCUMENT), f"run {REGENERATE}")
        for name in _generated.__all__:
            with self.subTest(name):
                self.assertIn(name, loss_service_client.__all__)
                self.assertIs(vars(loss_service_client)[name], getattr(_generated, name))

    def test_the_exported_names_follow_the_catalogue(self) -> None:
        text = "a = 1\n" + generate.EXPORTS_BEGIN + "stale\n" + generate.EXPORTS_END + "b = 2\n"
        written = generate.exports(text, {"losses": [MYSTERY, *GENERATED_DOCUMENT["losses"][:1]]})
        self.assertEqual(written, "a = 1\n" + generate.EXPORTS_BEGIN
                         + "from ._generated import (\n    binary_cross_entropy,\n    mystery_loss,\n)\n\n"
                         + '__all__ += [\n    "binary_cross_entropy",\n    "mystery_loss",\n]\n'
                         + generate.EXPORTS_END + "b = 2\n")
        self.assertEqual(generate.exports(text, {"losses": []}),
                         "a = 1\n" + generate.EXPORTS_BEGIN + generate.EXPORTS_END + "b = 2\n")
        with self.assertRaises(ValueError):
            generate.exports("a = 1\n", GENERATED_DOCUMENT)

    def test_each_generated_loss_has_a_method_and_a_function_with_the_catalogues_signature(self) -> None:
        for spec in snapshot_catalogue():
            with self.subTest(spec.name):
                self.assertEqual(signature_summary(getattr(LossServiceClient, spec.python_name)),
                                 signature_summary(catalogue_module.signature(spec)))
                self.assertEqual(signature_summary(getattr(loss_service_client, spec.python_name)),
                                 signature_summary(catalogue_module.signature(spec, module_function=True)))
                self.assertIn(spec.path, getattr(LossServiceClient, spec.python_name).__doc__)

    def test_cross_entropy_keeps_its_positional_parameters(self) -> None:
        positional, _ = signature_summary(LossServiceClient.cross_entropy)
        self.assertEqual([name for name, _ in positional],
                         ["logits", "targets", "epsilon", "label_smooth", "reduction", "class_weights",
                          "ignore_index", "num_classes", "include"])


# A loss that no generated method knows: the client must serve it from the service's catalogue alone.
MYSTERY = {
    "name": "mystery-loss", "title": "A loss newer than the client", "path": "/v1/losses/mystery-loss",
    "model": "mystery-loss", "reference": "none",
    "inputs": [{"name": "predictions", "tensor": "predictions", "required": True,
                "forms": [{"kind": "real", "shape": "[N, C]", "values": None}], "description": "x"},
               {"name": "classLabels", "tensor": "class_labels", "required": True,
                "forms": [{"kind": "classIndices", "shape": "[N]", "values": None}], "description": "y"},
               {"name": "rowWeights", "tensor": "row_weights", "required": False,
                "forms": [{"kind": "real", "shape": "[N]", "values": ">= 0"}], "description": "w"}],
    "scalars": [{"name": "marginScale", "parameter": "margin_scale", "type": "number", "defaultValue": 0.5,
                 "range": "> 0", "description": "m"}],
    "reductions": ["sum", "mean", "none"], "defaultReduction": "sum",
    "outputs": [{"name": "rowLoss", "tensor": "row_loss", "shape": "[N]", "byDefault": False, "unreduced": True,
                 "description": "r"},
                {"name": "gradient", "tensor": "gradient", "shape": "[N, C]", "byDefault": True, "unreduced": False,
                 "description": "g"}],
}


class NewLossTests(unittest.TestCase):
    """A loss the service gains after this client was generated works without changing the client."""

    def test_a_new_loss_is_a_method_made_from_the_services_catalogue(self) -> None:
        answer = json_answer({"loss": 2.0, "gradient": [[0.5, -0.5]], "marginScale": 0.5, "reduction": "sum",
                              "shape": [1, 2], "dtype": "float32", "backend": "cpu", "newMember": 7})
        with StandInServer([answer], catalogue=json_answer({"losses": [MYSTERY]})) as server, \
                LossServiceClient(server.url) as client:
            method = client.mystery_loss
            positional, keyword = signature_summary(method)
            result = method([[1.0, 2.0]], [1], margin_scale=0.25, include=["gradient", "row_loss"])

        self.assertEqual([name for name, _ in positional], ["predictions", "class_labels"])
        self.assertEqual(keyword["margin_scale"], 0.5)
        self.assertEqual(keyword["reduction"], "sum")
        self.assertIn("/v1/losses/mystery-loss", method.__doc__)
        self.assertEqual(server.catalogue_requests, 1)
        self.assertEqual([request["path"] for request in server.requests], ["/v1/losses/mystery-loss"])
        self.assertEqual(server.json_bodies()[0], {"predictions": [[1.0, 2.0]], "classLabels": [1], "marginScale": 0.25,
                                                   "reduction": "sum", "include": ["gradient", "rowLoss"]})
        self.assertEqual(result.loss, 2.0)
        self.assertEqual(result.gradient, [[0.5, -0.5]])
        self.assertIsNone(result.row_loss, "an output of the loss that did not come")
        self.assertEqual(result.margin_scale, 0.5)
        self.assertEqual(result.extra_fields, {"newMember": 7})
        self.assertIn("mystery_loss", dir(client))

    @needs_numpy
    def test_a_new_loss_goes_over_v2_with_the_datatypes_its_catalogue_gives(self) -> None:
        header = b'{"model_name":"mystery-loss","model_version":"1","outputs":[' \
                 b'{"name":"loss","datatype":"FP64","shape":[1],"parameters":{"binary_data_size":8}},' \
                 b'{"name":"gradient","datatype":"FP64","shape":[1,2],"parameters":{"binary_data_size":16}}]}'
        binary = numpy.array([2.0], "<f8").tobytes() + numpy.array([[0.5, -0.5]], "<f8").tobytes()
        inference = (200, {"Content-Type": "application/octet-stream",
                           "Inference-Header-Content-Length": str(len(header))}, header + binary)
        with StandInServer([inference], catalogue=json_answer({"losses": [MYSTERY]})) as server, \
                LossServiceClient(server.url) as client:
            result = client.compute("mystery_loss", predictions=numpy.array([[1.0, 2.0]]),
                                    class_labels=numpy.array([1], dtype=numpy.int32), reduction="none")

        request = server.requests[0]
        self.assertEqual(request["path"], "/v2/models/mystery-loss/infer")
        length = int(request["headers"]["Inference-Header-Content-Length"])
        document = json.loads(request["body"][:length])
        self.assertEqual([(item["name"], item["datatype"], item["shape"]) for item in document["inputs"]],
                         [("predictions", "FP64", [1, 2]), ("class_labels", "INT32", [1])])
        self.assertEqual(document["parameters"], {"reduction": "none", "binary_data_output": True},
                         "compute() sends what it is given; the method's defaults are the method's")
        self.assertEqual([output["name"] for output in document["outputs"]], ["loss", "gradient", "row_loss"],
                         "the default outputs, and the unreduced one for reduction none")
        self.assertEqual(request["body"][length:], numpy.array([[1.0, 2.0]]).tobytes() + numpy.array(
            [1], dtype=numpy.int32).tobytes())
        self.assertEqual(result.loss, 2.0)
        numpy.testing.assert_array_equal(result.gradient, [[0.5, -0.5]])
        self.assertEqual(result.dtype, "float64")

    def test_an_unknown_name_is_an_attribute_error_and_an_unknown_loss_not_found(self) -> None:
        with StandInServer([CE_ANSWER], catalogue=json_answer({"losses": [MYSTERY]})) as server, \
                LossServiceClient(server.url) as client:
            self.assertFalse(hasattr(client, "no_such_loss"))
            with self.assertRaises(loss_service_client.NotFoundError):
                client.compute("no-such-loss", logits=[[1.0]])


def synthesize(spec: LossSpec, shape: Tuple[int, ...], rng: Any) -> Optional[Dict[str, Any]]:
    """Arguments for a loss from its catalogue entry alone: the first input normal numbers of ``shape``; an input
    that takes class indices, indices along dimension 1 of the first input's shape without it; a vector input
    ("[C]", "[L]"), positive weights along dimension 1 or the last one; any other input, numbers in [0, 1) of the
    first input's shape. None when the first input cannot take that shape (its description says fewer dimensions)."""
    first = spec.first_input
    if "d1" not in " ".join(first.shapes) and "any shape" not in " ".join(first.shapes) and len(shape) > 2:
        return None
    arguments: Dict[str, Any] = {first.tensor: rng.standard_normal(shape)}
    classes = shape[1]
    for item in spec.inputs[1:]:
        described = " ".join(item.shapes)
        if item.kinds[0] == "classIndices":
            arguments[item.tensor] = rng.integers(0, classes, (shape[0],) + shape[2:])
        elif described.startswith("[") and "," not in described and "[N" not in described:
            length = shape[-1] if "L" in described else classes
            arguments[item.tensor] = rng.uniform(0.5, 1.5, length)
        elif item.required:
            arguments[item.tensor] = rng.uniform(0.0, 1.0, shape)
    return arguments


@needs_numpy
class EveryLossOverBothTransportsTests(unittest.TestCase):
    """Every loss of the service, with arguments made from its catalogue entry, every reduction and every output:
    the JSON API and the V2 binary model give the same numbers (float64, so the JSON numbers carry them exactly)."""

    def test_json_and_v2_agree_for_every_loss_and_reduction(self) -> None:
        rng = numpy.random.default_rng(20240611)
        computed = []
        with LossServiceClient(service_url()) as client:
            for spec in client.catalogue():
                for shape in ((3, 4), (2, 3, 4, 2)):
                    arguments = synthesize(spec, shape, rng)
                    if arguments is None:
                        continue
                    for reduction in spec.reductions:
                        with self.subTest(loss=spec.name, shape=shape, reduction=reduction):
                            if self.compare(client, spec, arguments, reduction):
                                computed.append(spec.name)
        self.assertGreaterEqual(set(computed), {"cross-entropy", "binary-cross-entropy"})

    def compare(self, client: LossServiceClient, spec: LossSpec, arguments: Dict[str, Any], reduction: str) -> bool:
        try:
            by_json = client.compute(spec.name, **arguments, reduction=reduction, include="all", transport="json")
        except InvalidRequestError as refused:
            # Arguments this test could not make valid for a loss it does not know: both transports must refuse
            # them alike.
            with self.assertRaises(InvalidRequestError) as also_refused:
                client.compute(spec.name, **arguments, reduction=reduction, include="all", transport="v2")
            self.assertEqual(also_refused.exception.pointers, refused.pointers)
            return False
        by_v2 = client.compute(spec.name, **arguments, reduction=reduction, include="all", transport="v2")

        self.assertEqual((by_json.transport, by_v2.transport), ("json", "v2"))
        self.assertEqual(by_json.dtype, "float64")
        self.assertEqual(by_v2.dtype, "float64")
        self.assertEqual(by_json.reduction, reduction)
        self.assertEqual(by_v2.reduction, reduction)
        self.assertEqual(list(by_json.shape), list(by_v2.shape))
        if by_json.loss is None:
            self.assertIsNone(by_v2.loss)
        else:
            self.assertAlmostEqual(by_v2.loss, by_json.loss, delta=1e-12 * max(1.0, abs(by_json.loss)))
        for output in spec.outputs:
            expected, actual = getattr(by_json, output.tensor), getattr(by_v2, output.tensor)
            if expected is None:
                self.assertIsNone(actual, output.tensor)
                continue
            self.assertIsInstance(actual, numpy.ndarray, output.tensor)
            self.assertEqual(actual.dtype, numpy.float64, output.tensor)
            numpy.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15, err_msg=output.tensor)
        return True


if __name__ == "__main__":
    unittest.main()
