// The viewer page: steps forward and back through a use case, drawing the
// block as a strip of pages and highlighting each machine's current state in
// its diagram. All data comes from the local gmem view server.
'use strict';

const $ = (id) => document.getElementById(id);
let steps = [];
let at = 0;

const shared = (state) => state.startsWith('faultable') || state.endsWith('.shared');
const allocated = (state) => state.endsWith('.allocated');
const FOLIO = { none: '.', huge: 'H', split: 's', heldByInode: 'i' };

async function load(name) {
  const res = await fetch(`/api/steps?useCase=${encodeURIComponent(name)}`);
  const data = await res.json();
  steps = data.steps;
  at = 0;
  $('title').textContent = data.title;
  $('page').innerHTML = '';
  for (let k = 0; k < data.pages; k++) $('page').append(new Option(`page ${k}`, String(k)));
  render();
}

function highlight(container, ids) {
  for (const g of container.querySelectorAll('g.node')) {
    const title = g.querySelector('title');
    g.classList.toggle('current', !!title && ids.includes(title.textContent));
  }
}

function render() {
  const step = steps[at];
  const { block, arena } = step;
  $('counter').textContent = `step ${at} of ${steps.length - 1}`;
  $('op').textContent = step.op;
  $('refusal').textContent = step.refusal ? `refused: ${step.refusal}` : '';
  $('back').disabled = at === 0;
  $('next').disabled = at === steps.length - 1;

  $('strip').innerHTML = '';
  block.pages.forEach((state, k) => {
    const div = document.createElement('div');
    div.className = `page ${shared(state) ? 'shared' : 'private'} ${allocated(state) ? 'allocated' : 'unallocated'}`;
    div.dataset.testid = `page-${k}`;
    const marks = [];
    if (arena.hostMapped.includes(k)) marks.push('host-mapped');
    if (arena.guestMapping[k] !== 'none') marks.push(`guest ${arena.guestMapping[k]}`);
    if (block.pins[k] > 0) marks.push(`pinned x${block.pins[k]}`);
    div.innerHTML = `<div class="letter">${shared(state) ? 'S' : 'P'}</div><div>${state}</div><div class="marks">${marks.join(', ')}</div>`;
    $('strip').append(div);
  });
  $('folio').textContent = `[${FOLIO[block.file].repeat(block.pages.length)}]  folio: ${block.file}, wrapper: ${block.wrapper}`;
  const rows = [
    ['HugePages_Free', arena.pool.free],
    ['HugePages_Rsvd', arena.pool.rsvd],
    ['allocated bytes', arena.allocatedBytes],
    ['pending merge', arena.pendingMerge],
    ['pins', arena.pins],
    ['open', block.open],
  ];
  $('counters').innerHTML = rows.map(([k, v]) => `<tr><td>${k}</td><td data-testid="counter-${k.replace(/ /g, '-')}">${v}</td></tr>`).join('');
  $('states').innerHTML = [
    `inode: ${block.open ? 'open' : 'closed'}`,
    `folio: file.${block.file}, wrapper.${block.wrapper}`,
    ...block.pages.map((s, k) => `page ${k}: ${s}`),
  ].map((t) => `<li>${t}</li>`).join('');
  const page = Number($('page').value || 0);
  highlight($('range-diagram'), [block.pages[page].replace(/\./g, '_')]);
  highlight($('folio-diagram'), [`file_${block.file}`, `wrapper_${block.wrapper}`]);
}

async function start() {
  $('range-diagram').innerHTML = await (await fetch('/api/diagram/range.svg')).text();
  $('folio-diagram').innerHTML = await (await fetch('/api/diagram/folio.svg')).text();
  const useCases = await (await fetch('/api/usecases')).json();
  for (const u of useCases) $('usecase').append(new Option(u.name, u.name));
  $('usecase').addEventListener('change', () => load($('usecase').value));
  $('page').addEventListener('change', render);
  $('back').addEventListener('click', () => { if (at > 0) { at--; render(); } });
  $('next').addEventListener('click', () => { if (at < steps.length - 1) { at++; render(); } });
  await load(useCases[0].name);
  document.body.dataset.ready = 'true';
}

start();
