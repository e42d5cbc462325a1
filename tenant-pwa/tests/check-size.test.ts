import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { measure, staticImports } from '../scripts/check-size.mjs';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(path: string, content: string) {
  mkdirSync(join(dir!, path, '..'), { recursive: true });
  writeFileSync(join(dir!, path), content);
}

it('finds static imports and ignores dynamic ones', () => {
  const code =
    'import{a as b}from"./chunk-a.js";import"./side.js";export{c}from"../up.js";' +
    'const l=()=>import("./lazy.js");import * as ns from \'./ns.js\'';
  expect(staticImports(code).sort()).toEqual(['../up.js', './chunk-a.js', './ns.js', './side.js']);
});

it('counts the entry, modulepreloads and static imports, not lazy chunks', () => {
  dir = mkdtempSync(join(tmpdir(), 'size-'));
  write(
    'index.html',
    '<html><head><script type="module" crossorigin src="/app/assets/index.js"></script>' +
      '<link rel="modulepreload" crossorigin href="/app/assets/vendor.js"><link rel="stylesheet" href="/app/assets/x.css">' +
      '</head></html>',
  );
  write('assets/index.js', 'import{v}from"./vendor.js";import"./shared.js";const p=()=>import("./page.js");');
  write('assets/vendor.js', 'export const v=1;');
  write('assets/shared.js', 'export{v}from"./vendor.js";');
  write('assets/page.js', 'x'.repeat(100000));
  const { files, total } = measure(dir);
  expect(files.map((f: { file: string }) => f.file).sort()).toEqual(['assets/index.js', 'assets/shared.js', 'assets/vendor.js']);
  expect(total).toBeGreaterThan(0);
  expect(total).toBeLessThan(300);
});
