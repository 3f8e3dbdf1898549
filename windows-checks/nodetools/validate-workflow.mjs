// Validates GitHub Actions workflow files against the JSON schema of workflows, with
// action-validator (its WebAssembly build carries the schema), and prints one JSON
// document on standard output: [{file, errors: [{path, title, detail}]}], the errors of
// a oneOf flattened into the alternatives' own errors.
//
// Usage: node validate-workflow.mjs FILE...

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { validateWorkflow } = require('@action-validator/core');

function flatten(errors, out) {
  for (const e of errors) {
    out.push({ path: e.path ?? '', title: e.title ?? '', detail: e.detail ?? '', code: e.code ?? '' });
    for (const state of e.states ?? []) {
      flatten(state.errors ?? [], out);
    }
  }
  return out;
}

const results = [];
for (const file of process.argv.slice(2)) {
  const state = validateWorkflow(readFileSync(file, 'utf8'));
  results.push({ file, errors: flatten(state.errors ?? [], []) });
}
process.stdout.write(JSON.stringify(results) + '\n');
