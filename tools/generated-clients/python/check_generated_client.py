"""Calls every loss of openapi.yaml through the Python client OpenAPI Generator made from it (default options).

With the first example of each POST /v1/losses/... operation, checking the answer against the documented one,
then one invalid request whose problem details are read through the client (its ApiException carries the
response as the generated Problem model). Losses are found in the document, and their models and methods by the
generator's naming, so that a loss added to the catalogue is called without changing this script.

Usage: check_generated_client.py BASE_URL OPENAPI_YAML GENERATED_DIR; exits non-zero on any failure.
"""
import re
import sys

import yaml


def snake_case(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def differences(at, expected, actual, found):
    """Every place where the answer read by the client differs from the documented one (numbers by value)."""
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if not isinstance(actual, (int, float)) or float(actual) != float(expected):
            found.append(f"{at}: {actual!r} instead of {expected!r}")
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            found.append(f"{at}: {actual!r} instead of {expected!r}")
        else:
            for i, (e, a) in enumerate(zip(expected, actual)):
                differences(f"{at}/{i}", e, a, found)
    elif isinstance(expected, dict):
        for name, value in expected.items():
            if name not in actual:
                found.append(f"{at}/{name}: missing")
            else:
                differences(f"{at}/{name}", value, actual[name], found)
    elif expected != actual:
        found.append(f"{at}: {actual!r} instead of {expected!r}")
    return found


def main(base_url, document_path, generated):
    sys.path.insert(0, generated)
    import openapi_client

    with open(document_path, encoding="utf-8") as file:
        document = yaml.safe_load(file)
    passed, failures = 0, []
    first = None
    with openapi_client.ApiClient(openapi_client.Configuration(host=base_url)) as client:
        api = openapi_client.LossesApi(client)
        for path, item in document["paths"].items():
            operation = item.get("post")
            if not path.startswith("/v1/losses/") or operation is None:
                continue
            json = operation["requestBody"]["content"]["application/json"]
            name, example = next(iter(json["examples"].items()))
            documented = operation["responses"]["200"]["content"]["application/json"]["examples"][name]["value"]
            model = getattr(openapi_client, json["schema"]["$ref"].rsplit("/", 1)[1])
            call = getattr(api, snake_case(operation["operationId"]))
            if first is None:
                first = (model, call, example["value"])
            try:
                response = call(model.from_dict(example["value"]))
            except openapi_client.ApiException as e:
                failures.append(f"{path} {name}: HTTP {e.status} {e.body}")
                continue
            found = differences("", documented, response.to_dict(), [])
            if response.loss is None or response.loss != documented["loss"] or found:
                failures.append(f"{path} {name}: loss {response.loss}, documented {documented['loss']}; {found}")
            else:
                passed += 1
                print(f"python {path:40} {name:28} loss {response.loss!r} (as documented)")

        # One invalid request: the first example with its first array ragged, answered 422 with every violation.
        model, call, value = first
        field = next(iter(value))
        invalid = dict(value, **{field: [[0.5, 1.0], [2.0]]})
        try:
            call(model.from_dict(invalid))
            failures.append(f"422: the ragged /{field} was answered 2xx")
        except openapi_client.ApiException as e:
            problem = e.data
            read = (f"status {problem.status}, type {problem.type}, errors "
                    f"{[f'{v.pointer}: {v.message}' for v in problem.errors or []]}")
            if (e.status == 422 and isinstance(problem, openapi_client.Problem) and problem.status == 422
                    and problem.type == "tag:loss-service,2026:problems/invalid-request"
                    and f"/{field}/1" in [v.pointer for v in problem.errors or []]):
                passed += 1
                print(f"python 422 read through the client: {read}")
            else:
                failures.append(f"422: unexpected (HTTP {e.status}) {read}")

    for failure in failures:
        print(f"python FAILED {failure}")
    print(f"python client: {passed} passed, {len(failures)} failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
