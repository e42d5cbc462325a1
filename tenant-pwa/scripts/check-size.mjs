#!/usr/bin/env node
// Size budget of the first load: the gzipped size (node:zlib, default level) of the JavaScript that
// dist/index.html loads before anything is lazily imported: its module scripts, its modulepreload links
// and, recursively, their static imports (dynamic import() is excluded: that is lazy). Fails over budget.
// Usage: npm run check:size  (after npm run build). Env: SIZE_BUDGET_KB (default 150).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BASE = '/app/';

function attributes(tag) {
  const out = {};
  for (const match of tag.matchAll(/([\w-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[match[1].toLowerCase()] = match[2] ?? match[3] ?? match[4] ?? '';
  }
  return out;
}

function toDistPath(distDir, url) {
  const path = url.split(/[?#]/)[0];
  if (/^[a-z]+:\/\//i.test(path)) return null; // external: not ours (and the app has none)
  const local = path.startsWith(BASE) ? path.slice(BASE.length) : path.replace(/^\//, '');
  return resolve(distDir, local);
}

/** Return the JS files index.html references directly (module scripts and modulepreload links). */
export function entryScripts(distDir, html) {
  const files = [];
  for (const [tag] of html.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const attrs = attributes(tag.replace(/^<\w+|>$/g, ''));
    let url = null;
    if (tag.toLowerCase().startsWith('<script') && attrs.src) url = attrs.src;
    if (tag.toLowerCase().startsWith('<link') && attrs.rel?.split(/\s+/).includes('modulepreload')) url = attrs.href;
    if (url && /\.m?js([?#]|$)/.test(url)) {
      const file = toDistPath(distDir, url);
      if (file) files.push(file);
    }
  }
  return files;
}

/** Return the relative specifiers a module imports statically (import/export ... from, bare import). */
export function staticImports(code) {
  const specifiers = new Set();
  const pattern = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["'](\.{1,2}\/[^"']+)["']/g;
  for (const match of code.matchAll(pattern)) specifiers.add(match[1]);
  return [...specifiers];
}

/** Collect the initial JS graph of a built app: entry scripts plus their static imports, recursively. */
export function initialJsFiles(distDir) {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const seen = new Set();
  const queue = entryScripts(distDir, html);
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    if (!existsSync(file)) throw new Error(`index.html references a missing file: ${relative(distDir, file)}`);
    seen.add(file);
    for (const specifier of staticImports(readFileSync(file, 'utf8'))) queue.push(resolve(dirname(file), specifier));
  }
  return [...seen];
}

/** Return [{file, bytes, gzip}] and the gzipped total for the initial JS of distDir. */
export function measure(distDir) {
  const files = initialJsFiles(distDir).map((file) => {
    const content = readFileSync(file);
    return { file: relative(distDir, file), bytes: content.length, gzip: gzipSync(content).length };
  });
  return { files, total: files.reduce((sum, f) => sum + f.gzip, 0) };
}

function main() {
  const distDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  if (!existsSync(join(distDir, 'index.html'))) {
    console.error('dist/index.html not found: run `npm run build` first.');
    process.exit(2);
  }
  const budgetKb = Number(process.env.SIZE_BUDGET_KB ?? 150);
  const { files, total } = measure(distDir);
  for (const { file, bytes, gzip } of files) {
    console.log(`${file.padEnd(48)} ${(bytes / 1024).toFixed(2).padStart(8)} KB  gzip ${(gzip / 1024).toFixed(2).padStart(7)} KB`);
  }
  const totalKb = total / 1024;
  console.log(`Initial JS (gzip): ${totalKb.toFixed(2)} KB of ${budgetKb} KB budget (${files.length} files)`);
  if (totalKb > budgetKb) {
    console.error(`Over budget by ${(totalKb - budgetKb).toFixed(2)} KB`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
