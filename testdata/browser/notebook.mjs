// notebook.mjs opens a notebook in the classic Jupyter Notebook page with
// headless Debian chromium, runs every cell as a person would from the Cell
// menu, and checks what the page rendered: the HTML display as HTML, the SVG
// chart as an <svg>, the Pool cell's printed lines and result (and no Out[n]
// for its closing call, which returns nothing), no error output.
// It always takes a full-page screenshot, saves the notebook through the
// page, exits 1 naming everything that was missing, and prints a JSON summary
// on its last line on success.
//
// Usage: node notebook.mjs URL TOKEN NOTEBOOK SCREENSHOT
//   URL         the notebook server, e.g. http://127.0.0.1:8888
//   TOKEN       the server's token
//   NOTEBOOK    the notebook's path relative to the server's notebook dir
//   SCREENSHOT  where to write the PNG
//
// Run by TestBrowser (browser_test.go); `npm ci` here installs playwright-core.

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.GOMP_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = Number(process.env.GOMP_BROWSER_TIMEOUT_MS || 180000);

// What the cells must show. The chart check looks for an <svg> (or an <img>
// of SVG data) in a cell's output that contains CHART_TEXT: change this when
// the chart cell changes.
const HTML_ID = 'gomp-html';
const HTML_TEXT = 'rendered by gomp';
const CHART_TEXT = 'gomp chart';
const POOL_MARK = 'pool.Map(';
const POOL_LINES = ['child squares 1', 'child squares 2', 'child squares 3', 'child squares 4', '[1 4 9 16] <nil>'];

function usage(msg) {
  console.error(`notebook.mjs: ${msg}\nusage: node notebook.mjs URL TOKEN NOTEBOOK SCREENSHOT`);
  process.exit(2);
}

const [url, token, notebook, screenshot] = process.argv.slice(2);
if (!url || !token || !notebook || !screenshot) usage('four arguments are needed');

const log = (...a) => console.error('notebook.mjs:', ...a);

// inPage runs in the page once every cell has finished and returns what it
// found; check turns that into a list of problems.
function inPage({ htmlId, chartText, poolMark }) {
  const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
  // A cell's outputs as text, one output area after another.
  const outputText = (cell) => [...cell.element[0].querySelectorAll('.output_area')].map((a) => a.textContent).join('\n');
  const found = {
    codeCells: cells.length,
    counts: cells.map((c) => c.input_prompt_number ?? null),
    busyPrompts: [...document.querySelectorAll('.input_prompt')].filter((p) => p.textContent.includes('[*]')).length,
    kernelName: Jupyter.notebook.kernel ? Jupyter.notebook.kernel.name : null,
    errors: [...document.querySelectorAll('.output_error')].map((e) => e.textContent.trim()),
    stderr: [...document.querySelectorAll('.output_stderr')].map((e) => e.textContent.trim()),
  };

  const html = document.querySelector(`.output_html #${htmlId}`);
  found.html = html ? { tag: html.tagName.toLowerCase(), text: html.textContent } : null;
  // Escaped markup shows as text: its source visible in any output.
  found.htmlEscaped = [...document.querySelectorAll('.output_area')].some((a) => a.textContent.includes(`id="${htmlId}"`));

  const svgs = [...document.querySelectorAll('.output_area svg')].filter((s) => s.textContent.includes(chartText));
  const imgs = [...document.querySelectorAll('.output_area img')].filter((i) => {
    const src = i.getAttribute('src') || '';
    if (!src.startsWith('data:image/svg+xml')) return false;
    const comma = src.indexOf(',');
    const body = src.slice(0, comma).endsWith(';base64') ? atob(src.slice(comma + 1)) : decodeURIComponent(src.slice(comma + 1));
    return body.includes(chartText);
  });
  const chart = svgs[0] || imgs[0];
  found.chart = chart
    ? {
        tag: chart.tagName.toLowerCase(),
        outputClass: chart.closest('.output_subarea') ? chart.closest('.output_subarea').className : '',
        width: Math.round(chart.getBoundingClientRect().width),
        height: Math.round(chart.getBoundingClientRect().height),
      }
    : null;

  const pool = cells.find((c) => c.get_text().includes(poolMark));
  found.poolOutput = pool ? outputText(pool) : null;
  // The cell ends in pool.Close(), which returns nothing: no Out[n].
  found.poolResults = pool ? [...pool.element[0].querySelectorAll('.output_result')].map((r) => r.textContent.trim()) : [];
  // mp.WithProgress draws one <progress>, redrawn in place to its end.
  const bars = pool ? [...pool.element[0].querySelectorAll('.output_html progress')] : [];
  found.progress = bars.map((b) => ({ value: Number(b.getAttribute('value')), max: Number(b.getAttribute('max')) }));
  return found;
}

function check(found) {
  const problems = [];
  if (found.codeCells === 0) problems.push('the page shows no code cells');
  found.counts.forEach((n, i) => {
    if (typeof n !== 'number') problems.push(`code cell ${i + 1} has prompt In [${n ?? ' '}], not an execution count`);
  });
  if (found.busyPrompts) problems.push(`${found.busyPrompts} cells still show In [*]`);
  if (found.kernelName !== 'gomp') problems.push(`the page's kernel is ${JSON.stringify(found.kernelName)}, not "gomp"`);
  for (const e of found.errors) problems.push(`an error output: ${e}`);
  if (!found.html) {
    problems.push(`no element #${HTML_ID} rendered inside an .output_html (display.Show(display.HTML(...)) not shown as HTML)`);
  } else if (found.html.tag !== 'b' || found.html.text !== HTML_TEXT) {
    problems.push(`#${HTML_ID} is <${found.html.tag}> ${JSON.stringify(found.html.text)}, want <b> ${JSON.stringify(HTML_TEXT)}`);
  }
  if (found.htmlEscaped) problems.push(`the HTML display's markup shows as text (escaped) in an output`);
  if (!found.chart) {
    problems.push(`no <svg> (or <img> of SVG data) containing ${JSON.stringify(CHART_TEXT)} in any output`);
  } else if (found.chart.width === 0 || found.chart.height === 0) {
    problems.push(`the chart <${found.chart.tag}> has no size (${found.chart.width}x${found.chart.height})`);
  }
  if (found.poolOutput === null) {
    problems.push(`no cell containing ${JSON.stringify(POOL_MARK)}`);
  } else {
    const lines = found.poolOutput.split('\n').map((l) => l.trim());
    for (const want of POOL_LINES) {
      if (!lines.includes(want)) problems.push(`the Pool cell's output lacks the line ${JSON.stringify(want)}`);
    }
    if (found.progress.length !== 1) {
      problems.push(`the Pool cell shows ${found.progress.length} <progress> bars, want 1 redrawn in place`);
    } else if (found.progress[0].value !== 4 || found.progress[0].max !== 4) {
      problems.push(`the progress bar stopped at ${found.progress[0].value}/${found.progress[0].max}, want 4/4`);
    }
    for (const r of found.poolResults) problems.push(`the Pool cell, which ends in a call returning nothing, shows a result: ${JSON.stringify(r)}`);
  }
  return problems;
}

const started = Date.now();
const consoleErrors = [];
let browser;
let problems = [];
let found = null;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright gives the browser a new empty --user-data-dir of its own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60000,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`);
  });
  try {
    const nbURL = `${url.replace(/\/$/, '')}/notebooks/${notebook.split('/').map(encodeURIComponent).join('/')}?token=${encodeURIComponent(token)}`;
    log(`opening ${nbURL.replace(token, '<token>')}`);
    const resp = await page.goto(nbURL, { waitUntil: 'load' });
    if (!resp || !resp.ok()) throw new Error(`GET the notebook page: HTTP ${resp ? resp.status() : 'no response'}`);

    log('waiting for the kernel to be idle');
    await page.waitForFunction(
      () =>
        window.Jupyter &&
        Jupyter.notebook &&
        Jupyter.notebook._fully_loaded &&
        Jupyter.notebook.kernel &&
        Jupyter.notebook.kernel.is_connected() &&
        document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null,
      null,
      { polling: 200 },
    );

    log('running all cells');
    await page.evaluate(() => Jupyter.notebook.execute_all_cells());
    await page.waitForFunction(
      () => {
        const code = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
        const prompts = [...document.querySelectorAll('.input_prompt')].map((p) => p.textContent);
        return (
          code.every((c) => typeof c.input_prompt_number === 'number') &&
          !prompts.some((p) => p.includes('[*]')) &&
          document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null
        );
      },
      null,
      { polling: 200 },
    );

    // Output messages may trail a cell's execute_reply by a moment: look
    // again for a few seconds before reporting anything missing.
    const settle = Date.now() + 5000;
    for (;;) {
      found = await page.evaluate(inPage, { htmlId: HTML_ID, chartText: CHART_TEXT, poolMark: POOL_MARK });
      problems = check(found);
      if (problems.length === 0 || Date.now() > settle) break;
      await page.waitForTimeout(250);
    }

    log('saving the notebook');
    await page.evaluate(() => Jupyter.notebook.save_notebook());
  } catch (e) {
    problems.push(`driving the page: ${e.message.split('\n')[0]}`);
  } finally {
    // The notebook scrolls inside #site: grow the viewport to the whole
    // notebook so the screenshot holds every cell.
    try {
      const height = await page.evaluate(() => {
        const header = document.querySelector('#header');
        const nb = document.querySelector('#notebook');
        return (header ? header.offsetHeight : 0) + (nb ? nb.scrollHeight : 0) + 40;
      });
      await page.setViewportSize({ width: 1280, height: Math.min(Math.max(height, 900), 8000) });
      await page.waitForTimeout(300);
      await page.screenshot({ path: screenshot, fullPage: true });
      log(`screenshot ${screenshot}`);
    } catch (e) {
      problems.push(`taking the screenshot: ${e.message.split('\n')[0]}`);
    }
  }
} catch (e) {
  problems.push(`starting ${CHROMIUM}: ${e.message.split('\n')[0]}`);
} finally {
  if (browser) await browser.close();
}

const summary = {
  ok: problems.length === 0,
  seconds: Math.round((Date.now() - started) / 100) / 10,
  screenshot,
  found,
  problems,
  consoleErrors,
};
if (problems.length) {
  console.error('notebook.mjs: the page failed these checks:');
  for (const p of problems) console.error(`  - ${p}`);
  if (found) console.error(`notebook.mjs: found ${JSON.stringify(found)}`);
  if (consoleErrors.length) console.error(`notebook.mjs: browser errors:\n  ${consoleErrors.join('\n  ')}`);
  process.exit(1);
}
console.log(JSON.stringify(summary));
