// The viewer page: steps through any use case path or trace. The file is
// drawn as blocks of page runs (a 1 GiB block is a handful of runs, never an
// element per page), with a zoom from the file into a block, a run and a
// page; the step shows its operation, its outcome against the expectation,
// what a check compared and the transitions taken, which are also
// highlighted in the ELK diagrams. The URL carries source, path and step,
// both counted as the page counts them: path from 1, step from 0 (the state
// before the first step) so that step N is the trace's Nth step.
'use strict';

const $ = (id) => document.getElementById(id);
const PAGE_WINDOW = 64;
const state = { source: '', path: 0, paths: 1, steps: [], at: 0, zoom: { block: null, run: null, page: null, offset: 0 } };

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const runClass = (r) => `run ${r.state.startsWith('truncate') ? 'truncating' : r.shareability} ${r.allocated ? 'allocated' : 'unallocated'}${r.hostMapped || r.pins || r.guest === '4k' ? ' marked' : ''}`;
const range = (r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`);
const letter = (r) => (r.state.startsWith('truncate') ? 't' : r.shareability === 'shared' ? 'S' : 'P')[r.allocated ? 'toUpperCase' : 'toLowerCase']();

const count = (n) => Number(n).toLocaleString('en');

/** A link that cannot be followed as written says so; the page never shows something else silently. */
function warn(text) {
  $('warning').textContent = text;
  $('warning').hidden = !text;
}

async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

/**
 * Where the page's data comes from: the loopback server's /api, or the files `gmem view --export`
 * wrote beside the page (data/export.js sets GMEM_EXPORT; a source's steps arrive by a script tag,
 * which a file:// page may load where it may not fetch).
 */
const EXPORT = window.GMEM_EXPORT;
const loading = new Map();
function exportedSource(id) {
  if (!loading.has(id)) {
    loading.set(id, new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = EXPORT.files[id];
      script.onload = () => resolve(EXPORT.loaded[id]);
      script.onerror = () => reject(new Error(`${EXPORT.files[id]} is missing from this export`));
      document.head.append(script);
    }));
  }
  return loading.get(id);
}
const api = EXPORT
  ? {
      sources: async () => EXPORT.sources,
      paths: async (id) => (await exportedSource(id)).paths,
      steps: async (id, index) => JSON.parse((await exportedSource(id)).steps[index]),
      diagram: async (name) => EXPORT.diagrams[name],
    }
  : {
      sources: () => getJson('/api/sources'),
      paths: (id) => getJson(`/api/paths?source=${encodeURIComponent(id)}`),
      steps: (id, index) => getJson(`/api/steps?source=${encodeURIComponent(id)}&path=${index}`),
      diagram: (name) => fetch(`/api/diagram/${name}.svg`).then((r) => r.text()),
    };

/**
 * The step as a link. Served, the query names the source (`?source=ID&path=N&step=N`); exported, the
 * fragment names the trace (`#trace=NAME&step=N`), since a static host or file:// keeps the fragment
 * to the page and a reply in a mail thread can carry it.
 */
function syncUrl() {
  let url;
  if (EXPORT) {
    const params = new URLSearchParams({ trace: state.source, ...(state.paths > 1 ? { path: String(state.path + 1) } : {}), step: String(state.at) });
    url = `#${params}`;
  } else {
    url = `${location.pathname}?${new URLSearchParams({ source: state.source, path: String(state.path + 1), step: String(state.at) })}`;
  }
  if (url !== (EXPORT ? location.hash : location.pathname + location.search)) history.replaceState(null, '', url);
  $('link').href = url;
}

/** What a link asks for: the fragment's parameters if it has any, else the query's. */
function linkParams() {
  const hash = location.hash.replace(/^#/, '');
  return new URLSearchParams(hash.includes('=') ? hash : location.search);
}

/** The source a link names, by `source=ID` or by `trace=NAME` (a trace's name, or its file when served). */
function linkedSource(sources, params) {
  const id = params.get('source');
  if (id !== null) return { wanted: id, found: sources.find((s) => s.id === id) };
  const trace = params.get('trace');
  if (trace === null) return { wanted: null, found: sources[0] };
  const traces = sources.filter((s) => s.kind === 'trace');
  return { wanted: `trace:${trace}`, found: traces.find((s) => s.id === trace || s.id === `trace:${trace}`) ?? traces.find((s) => s.name === trace) };
}

/** Why a link's source is not here, and how to get it. */
function missingSource(wanted) {
  if (!wanted.startsWith('trace:')) return `no use case or trace '${wanted}' here; the list holds what this viewer serves`;
  const trace = wanted.slice('trace:'.length);
  return EXPORT
    ? `trace ${trace} is not in this export; write it with gmem view --export DIR --trace FILE`
    : trace.endsWith('.json')
      ? `trace ${trace} is not loaded; run gmem view --trace ${trace}`
      : `trace ${trace} is not loaded; run gmem view --trace FILE with the file that holds it`;
}

/** `path` counts from 1 and `step` from 0, as the link gives them (strings) or as the page asks (numbers). */
async function loadSource(id, path = 1, step = 0) {
  state.source = id;
  $('source').value = id;
  const paths = await api.paths(id);
  state.paths = paths.length;
  $('path').innerHTML = '';
  for (const p of paths) $('path').append(new Option(`${p.index + 1} of ${paths.length}: ${p.label}`, String(p.index)));
  $('path').disabled = paths.length < 2;
  const wanted = Number(path);
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > paths.length) {
    warn(`path ${path} is out of range: ${id} has ${paths.length === 1 ? 'one path, 1' : `paths 1 to ${paths.length}`}; showing path 1 from its start`);
    return loadPath(0, 0);
  }
  await loadPath(wanted - 1, step);
}

async function loadPath(index, step = 0) {
  state.path = index;
  $('path').value = String(index);
  const data = await api.steps(state.source, index);
  state.steps = data.steps;
  const last = data.steps.length - 1;
  const wanted = Number(step);
  if (Number.isInteger(wanted) && wanted >= 0 && wanted <= last) {
    state.at = wanted;
  } else {
    warn(`step ${step} is out of range: this path has steps 0 (before the first) to ${last}; showing step 0`);
    state.at = 0;
  }
  state.zoom = { block: null, run: null, page: null, offset: 0 };
  // A trace's one path is the trace itself: its label would repeat the title.
  $('title').textContent = state.paths > 1 ? `${data.title}, path ${index + 1}: ${data.path}` : data.title;
  $('description').textContent = data.description || '';
  $('description').hidden = !data.description;
  render();
}

function go(delta) {
  const next = state.at + delta;
  if (next < 0 || next >= state.steps.length) return;
  state.at = next;
  render();
}

function renderStep(step) {
  $('counter').textContent = `step ${state.at} of ${state.steps.length - 1}`;
  $('op').textContent = step.op;
  const outcome = $('outcome');
  if (step.kind === 'not-run') {
    outcome.textContent = `${step.outcome}: nothing after an operation that never returns can run`;
  } else if (step.hang !== undefined) {
    // The operation never returns (INV-14): the file is drawn as it stood before it.
    outcome.textContent = `${step.expected !== undefined ? `outcome ${step.outcome}, expected ${step.expected}: ${step.matches ? 'as expected ✓' : 'NOT as expected ✗'}` : `outcome ${step.outcome}`}; the file is drawn as before the step, and no step after it can run`;
  } else if (step.kind === 'check') {
    outcome.textContent = step.matches ? 'check: everything compared matches' : 'check: MISMATCH (see the fields marked)';
  } else if (step.outcome !== undefined) {
    outcome.textContent = step.expected !== undefined
      ? `outcome ${step.outcome}, expected ${step.expected}: ${step.matches ? 'as expected ✓' : 'NOT as expected ✗'}`
      : `outcome ${step.outcome} (the trace expects nothing)`;
  } else {
    outcome.textContent = step.kind === 'start' ? 'before the first step' : '';
  }
  if (step.invalid) outcome.textContent += ` (INVALID INPUT ${step.invalid})`;
  outcome.className = `${step.matches && !step.invalid ? 'ok' : 'bad'}${step.hang !== undefined ? ' hang' : ''}${step.kind === 'not-run' ? ' not-run' : ''}`;
  document.body.dataset.hang = step.hang !== undefined ? 'true' : 'false';
  $('checked').innerHTML = step.checked
    ? `<tr><th>field checked</th><th>expected</th><th>actual</th><th></th></tr>${step.checked.map((c) => `<tr class="${c.ok ? 'ok' : 'bad'}"><td>${esc(c.field)}</td><td>${esc(c.expected)}</td><td>${esc(c.actual)}</td><td>${c.ok ? '✓' : '✗'}</td></tr>`).join('')}`
    : '';
  $('violations').innerHTML = step.violations.map(violationItem).join('');
  $('transitions').innerHTML = step.transitions.length
    ? step.transitions.map((t) => `<li class="${t.refusal ? 'refused' : 'moved'}" data-machine="${t.machine}"><span class="what">${esc(t.machine)}: ${esc(t.from || '(machine)')} ${t.refusal ? `✗ ${esc(t.refusal)}` : `→ ${esc(t.to)}`} on ${esc(t.label)}</span><br>${esc(t.description)}<br><span class="cites">sources: ${esc(t.citations.join(', ') || '(none)')}</span>${t.where.length ? ` <span class="where">at ${esc(t.where.join('; '))}</span>` : ''}</li>`).join('')
    : '<li class="none">none: no machine state changed and nothing was refused</li>';
}

/**
 * A broken invariant; one a tree's known defect broke reads as that, beside the outcome it does not
 * contradict, with the defect's gloss and source.
 */
function violationItem(v) {
  const at = `at ${esc(v.where)}: ${esc(v.detail)}`;
  const declared = v.declared ? ', declared by the trace' : ', not declared by the trace';
  if (!v.defect && v.policies) return `<li class="known">${esc(v.invariant)} broken: policy ${esc(v.policies.join(', '))}, documented to break it (DOMAIN 8)${declared} ${at}</li>`;
  if (!v.defect) return `<li class="unknown">invariant violated: ${esc(v.invariant)} ${at}</li>`;
  const d = v.defect;
  const variants = d.variants.length ? ` (${esc(d.variants.join(', '))})` : '';
  return `<li class="known">${esc(v.invariant)} broken: known defect ${esc(d.id)}${variants}${declared} ${at}${d.gloss ? ` <br><span class="gloss">${esc(d.id)}: ${esc(d.gloss)}; source: ${esc(d.source)}</span>` : ''}</li>`;
}

function renderCounters(file) {
  if (!file) {
    $('counters').innerHTML = '<tr><td>no file yet</td></tr>';
    return;
  }
  const rows = [
    ['geometry', file.geometry],
    ['HugePages_Free', count(file.pool.free)],
    ['HugePages_Rsvd', count(file.pool.rsvd)],
    ['allocated bytes', file.allocated],
    ['pending merge', count(file.pendingMerge)],
    ['open', file.open],
  ];
  $('counters').innerHTML = rows.map(([k, v]) => `<tr><td>${k}</td><td data-testid="counter-${k.replace(/ /g, '-')}">${esc(v)}</td></tr>`).join('');
}

function strip(block, big) {
  const total = block.pages;
  return `<div class="strip${big ? ' big' : ''}" data-testid="strip-${block.index}">${block.runs
    .map((r, i) => `<div class="${runClass(r)}" data-run="${i}" style="flex: ${Math.max((r.last - r.first + 1) / total, 0.004)} 0 0" title="${esc(r.label)}"></div>`)
    .join('')}</div>`;
}

function zoomTo(z) {
  state.zoom = { block: null, run: null, page: null, offset: 0, ...z };
  render();
}

function renderPicture(file) {
  const z = state.zoom;
  const crumbs = [`<a data-zoom="file">file</a>`];
  if (!file) {
    $('zoom').innerHTML = crumbs.join(' › ');
    $('picture').innerHTML = '';
    return;
  }
  const block = z.block === null ? null : file.blocks[z.block];
  if (!block) {
    $('picture').innerHTML = file.blocks
      .map((b) => `<div class="block" data-testid="block-${b.index}" data-block="${b.index}"><div class="head">block ${b.index} (pages ${b.base}-${b.base + b.pages - 1}): folio ${esc(b.folio)}, wrapper ${esc(b.wrapper)}</div>${strip(b, false)}<div class="labels" data-testid="labels-${b.index}">${b.runs.map((r) => esc(r.label)).join(' | ')}</div></div>`)
      .join('');
    for (const el of $('picture').querySelectorAll('[data-block]')) el.addEventListener('click', () => zoomTo({ block: Number(el.dataset.block) }));
  } else {
    crumbs.push(`<a data-zoom="block">block ${block.index}</a>`);
    const run = z.run === null ? null : block.runs[z.run];
    if (!run) {
      $('picture').innerHTML = `<div class="head">block ${block.index}: folio ${esc(block.folio)}, wrapper ${esc(block.wrapper)}, pages ${block.base}-${block.base + block.pages - 1} of the file</div>${strip(block, true)}
        <table class="runs" data-testid="runs"><tr><th>pages (in the block)</th><th>run</th></tr>${block.runs.map((r, i) => `<tr data-run="${i}"><td>${range(r)}</td><td>${esc(r.label)}</td></tr>`).join('')}</table>`;
      for (const el of $('picture').querySelectorAll('[data-run]')) el.addEventListener('click', () => zoomTo({ block: block.index, run: Number(el.dataset.run) }));
    } else {
      crumbs.push(`<a data-zoom="run">run ${range(run)}</a>`);
      if (z.page === null) {
        const count = run.last - run.first + 1;
        const from = run.first + z.offset;
        const to = Math.min(run.last, from + PAGE_WINDOW - 1);
        const cells = [];
        for (let p = from; p <= to; p++) cells.push(`<div class="page ${run.state.startsWith('truncate') ? 'truncating' : run.shareability}" data-page="${p}"><div>${letter(run)}</div><div class="n">${p}</div></div>`);
        $('picture').innerHTML = `<div class="head">${esc(run.label)}: ${count} page${count > 1 ? 's' : ''} in state ${esc(run.state)}; showing ${from}-${to}</div>
          <div><button id="prev-window" ${from > run.first ? '' : 'disabled'}>◀ earlier pages</button> <button id="next-window" ${to < run.last ? '' : 'disabled'}>later pages ▶</button></div>
          <div class="pages" data-testid="pages">${cells.join('')}</div>`;
        $('prev-window').addEventListener('click', () => zoomTo({ block: block.index, run: z.run, offset: Math.max(0, z.offset - PAGE_WINDOW) }));
        $('next-window').addEventListener('click', () => zoomTo({ block: block.index, run: z.run, offset: z.offset + PAGE_WINDOW }));
        for (const el of $('picture').querySelectorAll('[data-page]')) el.addEventListener('click', () => zoomTo({ block: block.index, run: z.run, page: Number(el.dataset.page) }));
      } else {
        crumbs.push(`page ${z.page}`);
        const order = !run.allocated ? 'none' : block.folio === 'huge' ? `${Math.log2(block.pages)} (huge)` : '0 (split)';
        const rows = [
          ['page of the block', z.page], ['page of the file', block.base + z.page], ['range state', run.state], ['shareability', run.shareability],
          ['allocated', run.allocated], ['folio order', order], ['host mapped', run.hostMapped], ['guest mapping', run.guest], ['pins', run.pins],
        ];
        $('picture').innerHTML = `<table class="pagedetail" data-testid="page-detail">${rows.map(([k, v]) => `<tr><td>${k}</td><td>${esc(v)}</td></tr>`).join('')}</table>`;
      }
    }
  }
  $('zoom').innerHTML = crumbs.join(' › ');
  for (const a of $('zoom').querySelectorAll('a[data-zoom]')) {
    a.addEventListener('click', () => {
      const level = a.dataset.zoom;
      if (level === 'file') zoomTo({});
      else if (level === 'block') zoomTo({ block: z.block });
      else zoomTo({ block: z.block, run: z.run });
    });
  }
}

/** Highlights states and taken transitions in one diagram; `prefix` maps a machine's paths into the block's. */
function highlight(container, states, transitions) {
  for (const el of container.querySelectorAll('.current, .taken')) el.classList.remove('current', 'taken');
  for (const s of states) container.querySelector(`.state[data-state="${CSS.escape(s)}"]`)?.classList.add('current');
  let first = null;
  for (const t of transitions) {
    const els = t.refusal
      ? [...container.querySelectorAll(`.refusal[data-from="${CSS.escape(t.from)}"][data-event="${CSS.escape(t.event)}"]`)].filter((el) => el.dataset.refusal === t.refusal)
      : [...container.querySelectorAll(`.edge[data-from="${CSS.escape(t.from)}"][data-to="${CSS.escape(t.to)}"]`)].filter((el) => el.dataset.events.split(' ').includes(t.event));
    for (const el of els) {
      el.classList.add('taken');
      first = first || el;
    }
  }
  const target = first || container.querySelector('.state.current');
  if (target) {
    const box = target.getBBox ? target.getBBox() : null;
    if (box) {
      const scale = Number($('scale').value);
      container.scrollLeft = Math.max(0, box.x * scale - container.clientWidth / 3);
      container.scrollTop = Math.max(0, box.y * scale - container.clientHeight / 3);
    }
  }
}

function renderDiagrams(step, file) {
  const z = state.zoom;
  const blocks = file ? (z.block === null ? file.blocks : [file.blocks[z.block]]) : [];
  const runs = blocks.flatMap((b) => (z.run === null ? b.runs : [b.runs[z.run]]));
  const pageStates = [...new Set(runs.map((r) => r.state))];
  const of = (m) => step.transitions.filter((t) => t.machine === m);
  // At file level the folio diagram shows the first block whose folio this step moved (else block 0).
  const moved = of('folio').flatMap((t) => t.where.map((w) => Number(/^block (\d+)/.exec(w)?.[1]))).find((b) => Number.isInteger(b) && file?.blocks[b]);
  const shown = z.block === null && moved !== undefined ? file.blocks[moved] : blocks[0];
  const folioStates = shown ? [`file.${shown.folio}`, `wrapper.${shown.wrapper}`] : [];
  $('folio-shown').textContent = shown ? `block ${shown.index}` : 'no file';
  highlight($('range-diagram'), pageStates, of('range'));
  highlight($('folio-diagram'), folioStates, of('folio'));
  const into = (prefix) => (t) => ({ ...t, from: prefix + t.from, ...(t.to !== undefined ? { to: prefix + t.to } : {}) });
  highlight(
    $('block-diagram'),
    [file && file.open ? 'inode.open' : 'inode.closed', ...folioStates.map((s) => `folio.${s}`), ...pageStates.map((s) => `pages.p0.${s}`)],
    [...of('block'), ...of('folio').map(into('folio.')), ...of('range').map(into('pages.p0.'))],
  );
}

function render() {
  const step = state.steps[state.at];
  // The file as it stands: a check or a refused step still shows the file.
  const file = step.file || [...state.steps.slice(0, state.at)].reverse().find((s) => s.file)?.file;
  $('back').disabled = state.at === 0;
  $('next').disabled = state.at === state.steps.length - 1;
  if (file && state.zoom.block !== null && !file.blocks[state.zoom.block]) state.zoom = { block: null, run: null, page: null, offset: 0 };
  if (file && state.zoom.run !== null && !file.blocks[state.zoom.block].runs[state.zoom.run]) state.zoom = { ...state.zoom, run: null, page: null, offset: 0 };
  renderStep(step);
  renderCounters(file);
  renderPicture(file);
  renderDiagrams(step, file);
  document.body.dataset.step = String(state.at);
  syncUrl();
}

function applyScale() {
  const scale = Number($('scale').value);
  for (const d of document.querySelectorAll('.diagram svg')) {
    d.style.width = `${Number(d.getAttribute('width')) * scale}px`;
    d.style.height = `${Number(d.getAttribute('height')) * scale}px`;
  }
}

/** The diagrams arrive when the server has laid them out; the step is drawn without waiting for them. */
async function loadDiagrams() {
  const [range, folio, block] = await Promise.all(['range', 'folio', 'block'].map((name) => api.diagram(name)));
  $('range-diagram').innerHTML = range;
  $('folio-diagram').innerHTML = folio;
  $('block-diagram').innerHTML = block;
  applyScale();
  if (state.steps.length) render();
  document.body.dataset.diagrams = 'ready';
}

async function start() {
  const diagrams = loadDiagrams();
  const sources = await api.sources();
  for (const s of sources) $('source').append(new Option(s.kind === 'trace' ? s.title : `use case ${s.title}`, s.id));
  $('source').addEventListener('change', () => {
    warn('');
    loadSource($('source').value);
  });
  $('path').addEventListener('change', () => {
    warn('');
    loadPath(Number($('path').value));
  });
  $('back').addEventListener('click', () => go(-1));
  $('next').addEventListener('click', () => go(1));
  $('scale').addEventListener('change', () => {
    applyScale();
    render();
  });
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement) return;
    if (e.key === 'ArrowRight') go(1);
    else if (e.key === 'ArrowLeft') go(-1);
    else return;
    e.preventDefault();
  });
  await follow(sources);
  // A reader who pastes another step's link into the same tab changes only the fragment (the page's
  // own updates use history.replaceState, which fires no hashchange).
  window.addEventListener('hashchange', () => {
    warn('');
    document.body.dataset.ready = 'false';
    follow(sources).then(() => (document.body.dataset.ready = 'true'));
  });
  document.body.dataset.ready = 'true';
  await diagrams;
}

/** Opens what the link asks for; never another source at the linked step: what is missing is named. */
async function follow(sources) {
  const params = linkParams();
  const { wanted, found } = linkedSource(sources, params);
  if (found) return loadSource(found.id, params.get('path') ?? 1, params.get('step') ?? 0);
  warn(missingSource(wanted));
  return loadSource(sources[0].id);
}

start().catch((err) => {
  document.body.dataset.error = String(err.message || err);
  $('title').textContent = `error: ${err.message || err}`;
});
