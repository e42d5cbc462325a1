#!/usr/bin/env node
// Generate src/api/schema.d.ts from the backend's OpenAPI document with openapi-typescript.
// Source: ../openapi.json (repository root, e.g. written by `flask openapi write`) if present, else the
// running dev server at http://127.0.0.1:5000/openapi.json. Override with OPENAPI_SOURCE=path-or-url.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const localSpec = resolve(root, '..', 'openapi.json');
const source = process.env.OPENAPI_SOURCE || (existsSync(localSpec) ? localSpec : 'http://127.0.0.1:5000/openapi.json');
const output = join(root, 'src', 'api', 'schema.d.ts');
const cli = join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');

console.log(`openapi-typescript: ${source} -> ${output}`);
const result = spawnSync(process.execPath, [cli, source, '--output', output], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error('gen:types failed. Is the backend running, or is ../openapi.json present?');
  process.exit(result.status ?? 1);
}
