// The front end's layout as a rule (issue 12): main.js is the only module with side
// effects; lib/ imports only lib/; components/ import lib/ and components/; views/
// import lib/ and components/, never main.js nor each other; nothing imports in a
// cycle; and every module but main.js can be imported without a browser.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pwa = fileURLToPath(new URL('../../app/static/pwa/', import.meta.url));

function modules(dir = pwa) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return modules(path);
    return e.name.endsWith('.js') ? [relative(pwa, path)] : [];
  });
}

/** The modules `file` imports (static, and dynamic with a literal path), relative to pwa/. */
function importsOf(file) {
  const src = readFileSync(join(pwa, file), 'utf8');
  const specs = [
    ...src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'/gm),
    ...src.matchAll(/^\s*import\s*'([^']+)'/gm),
    ...src.matchAll(/import\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1]);
  return specs.map((s) => (s.startsWith('/pwa/') ? s.slice(5) : normalize(join(dirname(file), s))));
}

const all = modules();
const graph = new Map(all.map((f) => [f, importsOf(f)]));

test('every import names a module that exists', () => {
  for (const [file, deps] of graph) for (const d of deps) assert.ok(graph.has(d), `${file} imports ${d}`);
});

test('lib/ imports only lib/, components/ only lib/ and components/, views/ only lib/ and components/', () => {
  const allowed = { 'js/lib/': ['js/lib/'], 'js/components/': ['js/lib/', 'js/components/'], 'js/views/': ['js/lib/', 'js/components/'] };
  const broken = [];
  for (const [file, deps] of graph) {
    const floor = Object.keys(allowed).find((p) => file.startsWith(p));
    if (!floor) continue;
    for (const d of deps) if (!allowed[floor].some((p) => d.startsWith(p))) broken.push(`${file} -> ${d}`);
  }
  assert.deepEqual(broken, []);
  assert.ok(all.filter((f) => f.startsWith('js/views/')).length >= 15);
});

test('nothing imports main.js, and no module imports itself through others (no cycle)', () => {
  for (const [file, deps] of graph) assert.ok(!deps.includes('js/main.js'), `${file} imports main.js`);
  const state = new Map(); // file -> 'open' | 'done'
  const cycles = [];
  const visit = (file, path) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const d of graph.get(file) || []) visit(d, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of all) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('every module but main.js and sw.js imports in node: no side effects, no browser needed', async () => {
  for (const file of all.filter((f) => f.startsWith('js/') && f !== 'js/main.js')) {
    await import(new URL(`../../app/static/pwa/${file}`, import.meta.url));
  }
});

test('no module under app/static/pwa is over 400 lines', () => {
  for (const file of all) {
    const lines = readFileSync(join(pwa, file), 'utf8').split('\n').length;
    assert.ok(lines <= 400, `${file} has ${lines} lines`);
  }
});
