#!/usr/bin/env python3
"""Regenerates the differential-testing corpus of OpenAPI documents and records the peers' verdicts.

    scripts/record-openapi-verdicts.py [--seed N]

Writes Tests/HandoffCoreTests/Fixtures/openapi-corpus/corpus.json: generated base documents (3.0 and 3.1,
YAML and JSON, valid by construction), mutations of them (each stored as line edits of its base), and for
every document (and each published example of ../shared/fixtures/openapi) the verdict of
openapi-spec-validator and, when installed, openapi-spec-validator-rs, each fed the document as loaded by
PyYAML's libyaml loader (yaml.CSafeLoader). The Swift test DifferentialTests compares Handoff with them.
Needs: pip install openapi-spec-validator pyyaml (and openapi-spec-validator-rs for its column).
"""
import argparse
import copy
import difflib
import json
import os
import random
import sys
from importlib.metadata import version

import yaml
from openapi_spec_validator import validate as osv_validate

try:
    from openapi_spec_validator_rs import validate as rs_validate
except ImportError:  # the rs column is informative; the Python validator's is the reference
    rs_validate = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "HandoffCoreTests", "Fixtures", "openapi-corpus", "corpus.json")
FIXTURES = os.path.join(ROOT, "..", "shared", "fixtures", "openapi")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # a shared object is written out again: Handoff refuses YAML aliases
        return True


def _str(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


Dumper.add_representer(str, _str)


def dump(document, as_json):
    if as_json:
        return json.dumps(document, indent=1) + "\n"
    return yaml.dump(document, Dumper=Dumper, sort_keys=False, default_flow_style=None, width=120)


# ---------------------------------------------------------------------------------------------------------
# Base documents: valid by construction, varied in version, size and the parts of the format they use.

FIELD_TYPES = ["string", "integer", "boolean", "number"]


def base_document(index, rng):
    v31 = index % 2 == 1
    doc = {"openapi": "3.1.0" if v31 else "3.0.3",
           "info": {"title": f"Service {index}", "version": f"1.{index}.0"}}
    if rng.random() < 0.5:
        doc["info"]["description"] = "Generated for differential testing."
        doc["info"]["license"] = {"name": "MIT"}
    if rng.random() < 0.5:
        doc["servers"] = [{"url": "https://api.example.com/{stage}",
                           "variables": {"stage": {"default": "v1", "enum": ["v1", "v2"]}}}]
    schemes = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    if rng.random() < 0.5:
        schemes["apiKey"] = {"type": "apiKey", "name": "X-Key", "in": "header"}
    if rng.random() < 0.4:
        schemes["oauth"] = {"type": "oauth2", "flows": {"clientCredentials": {
            "tokenUrl": "https://auth.example.com/token", "scopes": {"read": "read things"}}}}
    doc["security"] = [{"bearer": []}]
    tags = []
    paths = {}
    resources = 2 + rng.randrange(2)
    schemas = {"Error": {"type": "object", "required": ["code"],
                         "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}
    operation_number = 0
    for r in range(resources):
        name = f"res{r}"
        tags.append({"name": name, "description": f"The {name} resource"})
        properties = {"id": {"type": "string"}}
        for f in range(2 + rng.randrange(5)):
            kind = FIELD_TYPES[rng.randrange(len(FIELD_TYPES))]
            field = {"type": kind}
            if kind == "string" and rng.random() < 0.3:
                field["maxLength"] = 64
            if kind == "integer" and rng.random() < 0.3:
                field["minimum"] = 0
                field["default"] = 1
            if rng.random() < 0.2:
                field = ({"type": [kind, "null"]} if v31 else {"type": kind, "nullable": True})
            properties[f"field{f}"] = field
        schema_name = f"Res{r}"
        schemas[schema_name] = {"type": "object", "required": ["id"], "properties": properties}
        if rng.random() < 0.3:
            schemas[schema_name + "List"] = {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_name}"}}
        ref = {"$ref": f"#/components/schemas/{schema_name}"}
        error = {"description": "Not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        collection = {}
        for method in ["get", "post"]:
            operation_number += 1
            op = {"tags": [name], "operationId": f"op{operation_number}", "summary": f"{method} {name}"}
            if method == "get":
                op["parameters"] = [{"name": "limit", "in": "query", "required": False,
                                     "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]
                if rng.random() < 0.3:
                    op["parameters"].append({"$ref": "#/components/parameters/Trace"})
            else:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": copy.deepcopy(ref)}}}
            op["responses"] = {"200": {"description": "OK", "content": {"application/json": {"schema": copy.deepcopy(ref)}}},
                               "404": copy.deepcopy(error)}
            if rng.random() < 0.2:
                op["responses"]["200"]["headers"] = {"X-Rate-Limit": {"schema": {"type": "integer"}}}
            if rng.random() < 0.2:
                op["deprecated"] = False
            collection[method] = op
        paths[f"/{name}"] = collection
        item = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]}
        for method in ["get", "put", "delete"][: 2 + rng.randrange(2)]:
            operation_number += 1
            op = {"operationId": f"op{operation_number}"}
            if method == "put":
                op["requestBody"] = {"content": {"application/json": {"schema": copy.deepcopy(ref)}}}
            if method == "delete":
                op["responses"] = {"204": {"description": "Deleted"}, "404": copy.deepcopy(error)}
                op["security"] = [{"bearer": []}] + ([{"apiKey": []}] if "apiKey" in schemes else [])
            else:
                op["responses"] = {"200": {"description": "OK", "content": {"application/json": {"schema": copy.deepcopy(ref)}}},
                                   "404": {"$ref": "#/components/responses/NotFound"}}
            item[method] = op
        paths[f"/{name}/{{id}}"] = item
    doc["tags"] = tags
    doc["paths"] = paths
    components = {"schemas": schemas,
                  "responses": {"NotFound": {"description": "Not found",
                                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
                  "parameters": {"Trace": {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}},
                  "securitySchemes": schemes}
    doc["components"] = components
    if v31 and rng.random() < 0.4:
        doc["webhooks"] = {"resourceChanged": {"post": {"requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Res0"}}}},
            "responses": {"200": {"description": "Received"}}}}}
    if rng.random() < 0.3:
        first = paths["/res0"]["post"]
        first["callbacks"] = {"done": {"{$request.body#/callback}": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}}}}}
    if rng.random() < 0.3:
        paths["/res0"]["get"]["responses"]["200"]["links"] = {"item": {"operationId": "op3", "parameters": {"id": "$response.body#/id"}}}
    return doc


# ---------------------------------------------------------------------------------------------------------
# Mutations: each takes a document (a copy) and the random source, changes it, and returns a short note.

def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "put", "post", "delete"):
                yield path, method, op


def pick(rng, items):
    items = list(items)
    return items[rng.randrange(len(items))]


def first_schema(doc, rng):
    return doc["components"]["schemas"][pick(rng, [k for k in doc["components"]["schemas"] if k.startswith("Res") and not k.endswith("List")])]


def property_schema(doc, rng):
    schema = first_schema(doc, rng)
    return schema["properties"][pick(rng, schema["properties"])]


def m_info_title_type(doc, rng): doc["info"]["title"] = 42
def m_info_missing(doc, rng): del doc["info"]
def m_info_version_missing(doc, rng): del doc["info"]["version"]
def m_unknown_root_key(doc, rng): doc["extras"] = {"a": 1}
def m_unknown_info_key(doc, rng): doc["info"]["owner"] = "team"
def m_unknown_operation_key(doc, rng): pick(rng, operations(doc))[2]["summaryText"] = "x"
def m_paths_missing(doc, rng): del doc["paths"]
def m_bad_in(doc, rng): doc["paths"]["/res0"]["get"]["parameters"][0]["in"] = "body"
def m_path_param_optional(doc, rng): doc["paths"][pick(rng, [p for p in doc["paths"] if "{" in p])]["parameters"][0]["required"] = False
def m_param_missing_name(doc, rng): del doc["paths"]["/res0"]["get"]["parameters"][0]["name"]
def m_param_schema_and_content(doc, rng): doc["paths"]["/res0"]["get"]["parameters"][0]["content"] = {"application/json": {"schema": {"type": "integer"}}}
def m_param_no_schema(doc, rng): del doc["paths"]["/res0"]["get"]["parameters"][0]["schema"]
def m_status_code(doc, rng): pick(rng, operations(doc))[2]["responses"][pick(rng, ["600", "20", "2XY", "ok"])] = {"description": "odd"}
def m_response_no_description(doc, rng): del doc["paths"]["/res0"]["get"]["responses"]["200"]["description"]
def m_responses_empty(doc, rng): pick(rng, operations(doc))[2]["responses"] = {}
def m_responses_missing(doc, rng): del pick(rng, operations(doc))[2]["responses"]
def m_schema_type(doc, rng): property_schema(doc, rng)["type"] = "objekt"
def m_schema_negative(doc, rng): property_schema(doc, rng)["minLength"] = -1
def m_schema_required_string(doc, rng): first_schema(doc, rng)["required"] = "id"
def m_schema_items_list(doc, rng): first_schema(doc, rng)["properties"]["tags"] = {"type": "array", "items": [{"type": "string"}]}
def m_schema_unknown_keyword(doc, rng): property_schema(doc, rng)["const"] = "fixed"
def m_schema_properties_list(doc, rng): first_schema(doc, rng)["properties"] = ["id"]
def m_nullable_in_31(doc, rng): property_schema(doc, rng)["nullable"] = True
def m_type_list_in_30(doc, rng): property_schema(doc, rng)["type"] = ["string", "null"]
def m_boolean_bound(doc, rng): property_schema(doc, rng).update({"minimum": 0, "exclusiveMinimum": True})
def m_webhooks(doc, rng): doc["webhooks"] = {"ping": {"post": {"responses": {"200": {"description": "ok"}}}}}
def m_license_identifier(doc, rng): doc["info"]["license"] = {"name": "MIT", "identifier": "MIT"}
def m_broken_schema_ref(doc, rng): doc["paths"]["/res0"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"] = "#/components/schemas/Missing"
def m_broken_response_ref(doc, rng): doc["paths"]["/res0/{id}"]["get"]["responses"]["404"]["$ref"] = "#/components/responses/Gone"
def m_broken_parameter_ref(doc, rng): doc["paths"]["/res0"]["get"]["parameters"].append({"$ref": "#/components/parameters/Nope"})
def m_external_ref(doc, rng): doc["paths"]["/res0"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"] = "models.yaml#/Thing"
def m_duplicate_operation_id(doc, rng):
    ops = list(operations(doc))
    ops[-1][2]["operationId"] = ops[0][2]["operationId"]
def m_undeclared_path_parameter(doc, rng):
    path = pick(rng, [p for p in doc["paths"] if "{" in p])
    doc["paths"][path.replace("{id}", "{id}/parts/{part}")] = doc["paths"].pop(path)
def m_extra_path_parameter(doc, rng):
    path = pick(rng, [p for p in doc["paths"] if "{" in p])
    doc["paths"][path.replace("/{id}", "/all")] = doc["paths"].pop(path)
def m_ref_sibling(doc, rng): doc["paths"]["/res0/{id}"]["get"]["responses"]["404"]["x-note"] = "sibling"
def m_ref_sibling_description(doc, rng): doc["paths"]["/res0/{id}"]["get"]["responses"]["404"]["description"] = "overrides"
def m_scheme_missing_type(doc, rng): del doc["components"]["securitySchemes"]["bearer"]["type"]
def m_scheme_bad_type(doc, rng): doc["components"]["securitySchemes"]["bearer"]["type"] = "basic"
def m_apikey_missing_in(doc, rng): doc["components"]["securitySchemes"]["key2"] = {"type": "apiKey", "name": "k"}
def m_server_missing_url(doc, rng): doc["servers"] = [{"description": "no url"}]
def m_duplicate_tag(doc, rng): doc["tags"].append(copy.deepcopy(doc["tags"][0]))
def m_request_body_no_content(doc, rng): del doc["paths"]["/res0"]["post"]["requestBody"]["content"]
def m_duplicate_parameter(doc, rng): doc["paths"]["/res0"]["get"]["parameters"].append(copy.deepcopy(doc["paths"]["/res0"]["get"]["parameters"][0]))
def m_path_without_slash(doc, rng): doc["paths"]["res9"] = copy.deepcopy(doc["paths"]["/res0"])
def m_deprecated_string(doc, rng): pick(rng, operations(doc))[2]["deprecated"] = "yes"
def m_enum_empty(doc, rng): property_schema(doc, rng)["enum"] = []
def m_default_mismatch(doc, rng): property_schema(doc, rng).update({"type": "integer", "default": "many"})
def m_component_name(doc, rng): doc["components"]["schemas"]["Bad Name"] = {"type": "string"}
def m_link_both(doc, rng): doc["paths"]["/res0"]["get"]["responses"]["200"]["links"] = {"x": {"operationId": "op1", "operationRef": "#/paths/~1res0/get"}}
def m_example_and_examples(doc, rng): doc["paths"]["/res0"]["post"]["requestBody"]["content"]["application/json"].update({"example": {"id": "1"}, "examples": {"one": {"value": {"id": "1"}}}})
def m_operation_id_type(doc, rng): pick(rng, operations(doc))[2]["operationId"] = ["a", "b"]
def m_tags_not_list(doc, rng): pick(rng, operations(doc))[2]["tags"] = "res0"
def m_security_not_list(doc, rng): doc["security"] = {"bearer": []}
def m_extension_everywhere(doc, rng):  # valid: extensions are allowed on every object
    doc["x-owner"] = "payments"
    doc["info"]["x-audience"] = "internal"
    pick(rng, operations(doc))[2]["x-rate"] = 5


MUTATIONS = [
    ("wrong-type-info-title", m_info_title_type), ("missing-info", m_info_missing),
    ("missing-info-version", m_info_version_missing), ("unknown-root-key", m_unknown_root_key),
    ("unknown-info-key", m_unknown_info_key), ("unknown-operation-key", m_unknown_operation_key),
    ("missing-paths", m_paths_missing), ("bad-parameter-in", m_bad_in),
    ("path-parameter-optional", m_path_param_optional), ("parameter-missing-name", m_param_missing_name),
    ("parameter-schema-and-content", m_param_schema_and_content), ("parameter-without-schema", m_param_no_schema),
    ("invalid-status-code", m_status_code), ("response-missing-description", m_response_no_description),
    ("responses-empty", m_responses_empty), ("responses-missing", m_responses_missing),
    ("schema-bad-type", m_schema_type), ("schema-negative-length", m_schema_negative),
    ("schema-required-not-list", m_schema_required_string), ("schema-items-list", m_schema_items_list),
    ("schema-unknown-keyword", m_schema_unknown_keyword), ("schema-properties-list", m_schema_properties_list),
    ("nullable-in-3.1", m_nullable_in_31), ("type-list-in-3.0", m_type_list_in_30),
    ("boolean-exclusive-bound", m_boolean_bound), ("webhooks", m_webhooks), ("license-identifier", m_license_identifier),
    ("broken-schema-ref", m_broken_schema_ref), ("broken-response-ref", m_broken_response_ref),
    ("broken-parameter-ref", m_broken_parameter_ref), ("external-ref", m_external_ref),
    ("duplicate-operation-id", m_duplicate_operation_id), ("undeclared-path-parameter", m_undeclared_path_parameter),
    ("extra-path-parameter", m_extra_path_parameter), ("ref-sibling-extension", m_ref_sibling),
    ("ref-sibling-description", m_ref_sibling_description), ("scheme-missing-type", m_scheme_missing_type),
    ("scheme-bad-type", m_scheme_bad_type), ("apikey-missing-in", m_apikey_missing_in),
    ("server-missing-url", m_server_missing_url), ("duplicate-tag", m_duplicate_tag),
    ("request-body-missing-content", m_request_body_no_content), ("duplicate-parameter", m_duplicate_parameter),
    ("path-without-slash", m_path_without_slash), ("deprecated-string", m_deprecated_string),
    ("enum-empty", m_enum_empty), ("default-mismatch", m_default_mismatch), ("component-name", m_component_name),
    ("link-operation-id-and-ref", m_link_both), ("example-and-examples", m_example_and_examples),
    ("operation-id-list", m_operation_id_type), ("tags-not-list", m_tags_not_list),
    ("security-not-list", m_security_not_list), ("extensions-everywhere", m_extension_everywhere),
]


def verdict(validate, text):
    try:
        validate(yaml.load(text, Loader=LOADER))
        return True, None
    except Exception as error:  # any refusal, whatever its class, is an invalid verdict
        return False, f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"


def hunks(base, mutated):
    """Line edits that turn base into mutated: [start, end, replacement lines], applied from the last."""
    a, b = base.splitlines(keepends=True), mutated.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [[i1, i2, "".join(b[j1:j2])] for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=13)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    bases, documents = {}, []
    base_docs = []
    for index in range(24):
        as_json = index % 4 == 3
        doc = base_document(index, rng)
        name = f"base-{index:02d}.{'json' if as_json else 'yaml'}"
        bases[name] = dump(doc, as_json)
        base_docs.append((name, doc, as_json))
        documents.append({"name": name, "base": name, "kind": "valid", "openapi": doc["openapi"], "edits": []})
    for kind_index, (kind, mutate) in enumerate(MUTATIONS):
        for copy_index in range(6):
            name, doc, as_json = base_docs[(kind_index * 7 + copy_index * 5 + copy_index // 2) % len(base_docs)]
            mutated = copy.deepcopy(doc)
            mutate(mutated, rng)
            text = dump(mutated, as_json)
            documents.append({"name": f"{kind}-{copy_index}-{name}", "base": name, "kind": kind, "openapi": doc["openapi"],
                              "edits": hunks(bases[name], text)})
    for document in documents:
        text = apply(bases[document["base"]], document["edits"])
        document["openapi-spec-validator"], document["error"] = verdict(osv_validate, text)
        if rs_validate is not None:
            document["openapi-spec-validator-rs"], _ = verdict(rs_validate, text)
    fixtures = {}
    if os.path.isdir(FIXTURES):
        for name in sorted(os.listdir(FIXTURES)):
            text = open(os.path.join(FIXTURES, name), encoding="utf-8").read()
            entry = {}
            entry["openapi-spec-validator"], entry["error"] = verdict(osv_validate, text)
            if rs_validate is not None:
                entry["openapi-spec-validator-rs"], _ = verdict(rs_validate, text)
            fixtures[name] = entry
    versions = {"openapi-spec-validator": version("openapi-spec-validator")}
    if rs_validate is not None:
        versions["openapi-spec-validator-rs"] = version("openapi-spec-validator-rs")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as out:
        json.dump({"seed": arguments.seed, "versions": versions, "bases": bases, "documents": documents,
                   "fixtures": fixtures}, out, indent=1, sort_keys=True)
        out.write("\n")
    invalid = sum(1 for d in documents if not d["openapi-spec-validator"])
    print(f"{len(documents)} documents ({len(bases)} bases, {len(MUTATIONS)} mutation kinds), "
          f"{invalid} invalid for openapi-spec-validator; {len(fixtures)} fixtures -> {os.path.relpath(OUT, ROOT)}")


def apply(base, edits):
    lines = base.splitlines(keepends=True)
    for start, end, replacement in reversed(edits):
        lines[start:end] = replacement.splitlines(keepends=True)
    return "".join(lines)


if __name__ == "__main__":
    sys.exit(main())
