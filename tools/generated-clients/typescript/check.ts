/**
 * Calls every loss of openapi.yaml through the TypeScript (fetch) client OpenAPI Generator made from it (default
 * options), with the first example of each POST /v1/losses/... operation, checking the answer against the documented
 * one; then one invalid request whose problem details are read through the client (its ResponseError and the
 * generated ProblemFromJSON). Losses are found in the document, and their models and methods by the generator's
 * naming, so that a loss added to the catalogue is called without changing this file.
 *
 * Usage: node check.js BASE_URL OPENAPI_YAML; exits non-zero on any failure.
 */
import { readFileSync } from 'fs';
import { parse } from 'yaml';
import * as client from '../target/generated/typescript-fetch';

type Json = any;

function lowerFirst(name: string): string {
    return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Every place where the answer read by the client differs from the documented one (numbers by value). */
function differences(at: string, expected: Json, actual: Json, found: string[]): string[] {
    if (typeof expected === 'number') {
        if (actual !== expected) found.push(`${at}: ${JSON.stringify(actual)} instead of ${expected}`);
    } else if (Array.isArray(expected)) {
        if (!Array.isArray(actual) || actual.length !== expected.length) {
            found.push(`${at}: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`);
        } else {
            expected.forEach((value, i) => differences(`${at}/${i}`, value, actual[i], found));
        }
    } else if (expected !== null && typeof expected === 'object') {
        for (const [name, value] of Object.entries(expected)) {
            if (actual === null || typeof actual !== 'object' || !(name in actual)) found.push(`${at}/${name}: missing`);
            else differences(`${at}/${name}`, value, actual[name], found);
        }
    } else if (expected !== actual) {
        found.push(`${at}: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`);
    }
    return found;
}

async function main(baseUrl: string, documentPath: string): Promise<number> {
    const document = parse(readFileSync(documentPath, 'utf8'));
    const api: Json = new client.LossesApi(new client.Configuration({ basePath: baseUrl }));
    const models: Json = client;
    let passed = 0;
    const failures: string[] = [];
    let first: { schema: string; operationId: string; value: Json } | undefined;

    for (const [path, item] of Object.entries<Json>(document.paths)) {
        const operation = item.post;
        if (!path.startsWith('/v1/losses/') || !operation) continue;
        const json = operation.requestBody.content['application/json'];
        const [name, example] = Object.entries<Json>(json.examples)[0];
        const documented = operation.responses['200'].content['application/json'].examples[name].value;
        const schema: string = json.schema.$ref.split('/').pop();
        const responseSchema: string = operation.responses['200'].content['application/json'].schema.$ref.split('/').pop();
        first ??= { schema, operationId: operation.operationId, value: example.value };
        try {
            const request = models[`${schema}FromJSON`](example.value);
            const response = await api[operation.operationId]({ [lowerFirst(schema)]: request });
            const found = differences('', documented, models[`${responseSchema}ToJSON`](response), []);
            if (response.loss !== documented.loss || found.length > 0) {
                failures.push(`${path} ${name}: loss ${response.loss}, documented ${documented.loss}; ${found}`);
            } else {
                passed++;
                console.log(`ts     ${path.padEnd(40)} ${name.padEnd(28)} loss ${response.loss} (as documented)`);
            }
        } catch (e) {
            failures.push(`${path} ${name}: ${e instanceof client.ResponseError ? e.response.status : ''} ${e}`);
        }
    }

    // One invalid request: the first example with its first array ragged, answered 422 with every violation.
    const { schema, operationId, value } = first!;
    const field = Object.keys(value)[0];
    const invalid = { ...value, [field]: [[0.5, 1.0], [2.0]] };
    try {
        await api[operationId]({ [lowerFirst(schema)]: models[`${schema}FromJSON`](invalid) });
        failures.push(`422: the ragged /${field} was answered 2xx`);
    } catch (e) {
        if (!(e instanceof client.ResponseError)) {
            failures.push(`422: ${e}`);
        } else {
            const problem = client.ProblemFromJSON(await e.response.json());
            const errors = (problem.errors ?? []).map((v) => `${v.pointer}: ${v.message}`);
            const read = `status ${problem.status}, type ${problem.type}, errors ${JSON.stringify(errors)}`;
            if (e.response.status === 422 && problem.status === 422
                && problem.type === 'tag:loss-service,2026:problems/invalid-request'
                && (problem.errors ?? []).some((v) => v.pointer === `/${field}/1`)) {
                passed++;
                console.log(`ts     422 read through the client: ${read}`);
            } else {
                failures.push(`422: unexpected (HTTP ${e.response.status}) ${read}`);
            }
        }
    }

    failures.forEach((failure) => console.log(`ts     FAILED ${failure}`));
    console.log(`typescript client: ${passed} passed, ${failures.length} failed`);
    return failures.length === 0 ? 0 : 1;
}

main(process.argv[2], process.argv[3]).then((status) => process.exit(status), (error) => {
    console.error(error);
    process.exit(1);
});
