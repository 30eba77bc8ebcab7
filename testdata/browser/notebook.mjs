// notebook.mjs opens a notebook in JupyterLab 4 or Notebook 7 with headless
// Debian chromium and uses it as a person would: it picks "Go (gomp)" in the
// Select Kernel dialog, runs every cell from the Run menu, saves with Ctrl+S,
// and checks what the page rendered: the HTML display as HTML, the table as
// a <table>, the SVG chart as an <svg> or <img> of SVG, the Pool cell's
// interleaved child lines and result (and no Out[n] for its closing call,
// which returns nothing), the progress widget at its end, the slider, the
// interact output and the button drawn by the widget manager, the last
// cell's error with its In[n] position, and nothing else in red (no other
// error or stderr output, no error in the browser's console). Then it
// drags the slider to its end (the interact function must run again with
// the new value) and clicks the button (its Go callback prints the value
// the slider now holds).
// It always takes a screenshot of the whole notebook, exits 1 naming
// everything that was missing, and prints a JSON summary on its last line on
// success.
//
// Usage: node notebook.mjs APP URL TOKEN NOTEBOOK SCREENSHOT
//   APP         lab (JupyterLab 4) or notebook (Notebook 7)
//   URL         the Jupyter server, e.g. http://127.0.0.1:8888
//   TOKEN       the server's token
//   NOTEBOOK    the notebook's path relative to the server's root directory
//   SCREENSHOT  where to write the PNG
//
// Run by TestBrowser (e2e/browser_test.go); `npm ci` here installs
// playwright-core.

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.GOMP_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT_MS = Number(process.env.GOMP_BROWSER_TIMEOUT_MS || 180000);

// What the cells must show: keep in step with browserCells in
// e2e/browser_test.go.
const KERNEL = 'Go (gomp)';
const HTML_ID = 'gomp-html';
const HTML_TEXT = 'rendered by gomp';
const CHART_TEXT = 'gomp chart';
const POOL_MARK = 'pool.Map(';
const POOL_LINES = ['child squares 1', 'child squares 2', 'child squares 3', 'child squares 4', '[1 4 9 16] <nil>'];
const ERROR_TEXTS = ['assignment to entry in nil map', 'In[6]:2:1'];
const TABLE_HEADER = 'workers';
const INTERACT_MARK = 'widgets.Interact(';
const BUTTON_MARK = 'widgets.NewButton(';
const INTERACT_START = 'interact n = 2';
const INTERACT_END = 'interact n = 8';
const BUTTON_LINE = 'button saw workers = 8';

function usage(msg) {
  console.error(`notebook.mjs: ${msg}\nusage: node notebook.mjs APP URL TOKEN NOTEBOOK SCREENSHOT`);
  process.exit(2);
}

const [app, url, token, notebook, screenshot] = process.argv.slice(2);
if (!app || !url || !token || !notebook || !screenshot) usage('five arguments are needed');
if (app !== 'lab' && app !== 'notebook') usage(`APP is lab or notebook, not ${JSON.stringify(app)}`);

const log = (...a) => console.error(`notebook.mjs (${app}):`, ...a);
const base = url.replace(/\/$/, '');
const nbPath = notebook.split('/').map(encodeURIComponent).join('/');
const pageURL = app === 'lab' ? `${base}/lab/tree/${nbPath}` : `${base}/notebooks/${nbPath}`;

// inPage runs in the page once every cell has finished and returns what it
// found; check turns that into a list of problems.
function inPage({ htmlId, chartText, poolMark, tableHeader, interactMark, buttonMark }) {
  // The notebook's panel: JupyterLab hides (rather than drops) other tabs.
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return { codeCells: 0, counts: [], busyPrompts: 0, kernelName: null, red: [], errorText: '', html: null, htmlEscaped: false, chart: null, poolOutput: null, poolResults: [], progress: [] };
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')];
  const source = (cell) => {
    const lines = cell.querySelectorAll('.jp-InputArea-editor .cm-line');
    return [...lines].map((l) => l.textContent).join('\n');
  };
  // The outputs that show in red: errors and stderr share a MIME type.
  const red = (cell) =>
    [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map((o) => o.textContent.trim());
  const found = {
    codeCells: cells.length,
    counts: cells.map((c) => {
      const m = /\[(\d+)\]/.exec(c.querySelector('.jp-InputPrompt')?.textContent ?? '');
      return m ? Number(m[1]) : null;
    }),
    busyPrompts: cells.filter((c) => (c.querySelector('.jp-InputPrompt')?.textContent ?? '').includes('[*]')).length,
    kernelName: panel.querySelector('.jp-Toolbar-kernelName .jp-ToolbarButtonComponent-label')?.textContent.trim() ?? null,
    red: cells.map(red),
  };
  found.errorText = cells.length ? red(cells[cells.length - 1]).join('\n') : '';

  const html = panel.querySelector(`.jp-RenderedHTMLCommon #${htmlId}`);
  found.html = html ? { tag: html.tagName.toLowerCase(), text: html.textContent } : null;
  // Escaped markup shows as text: its source visible in any output.
  found.htmlEscaped = [...panel.querySelectorAll('.jp-OutputArea-output')].some((a) => a.textContent.includes(`id="${htmlId}"`));

  const svgs = [...panel.querySelectorAll('.jp-OutputArea-output svg')].filter((s) => s.textContent.includes(chartText));
  const imgs = [...panel.querySelectorAll('.jp-OutputArea-output img')].filter((i) => {
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
        mime: chart.closest('.jp-OutputArea-output')?.getAttribute('data-mime-type') ?? '',
        width: Math.round(chart.getBoundingClientRect().width),
        height: Math.round(chart.getBoundingClientRect().height),
      }
    : null;

  found.table = [...panel.querySelectorAll('.jp-RenderedHTMLCommon table')].some((t) => t.querySelector('th')?.textContent.trim() === tableHeader);

  const interact = cells.find((c) => source(c).includes(interactMark));
  found.sliders = interact ? interact.querySelectorAll('.widget-slider').length : 0;
  found.interactOut = interact ? [...interact.querySelectorAll('.widget-output')].map((o) => o.textContent).join('\n') : null;
  const button = cells.find((c) => source(c).includes(buttonMark));
  found.buttons = button ? button.querySelectorAll('button.widget-button').length : 0;
  found.buttonOut = button ? [...button.querySelectorAll('.jp-OutputArea-output')].map((o) => o.textContent).join('\n') : null;
  // ipywidgets writes this where a view failed to render.
  found.widgetErrors = [...panel.querySelectorAll('.jp-OutputArea-output')].map((o) => o.textContent).filter((t) => t.includes('Error displaying widget') || t.includes('Error rendering widget'));

  const pool = cells.find((c) => source(c).includes(poolMark));
  found.poolOutput = pool
    ? [...pool.querySelectorAll('.jp-OutputArea-output')].map((o) => o.textContent).join('\n')
    : null;
  // The cell ends in pool.Close(), which returns nothing: no Out[n].
  found.poolResults = pool ? [...pool.querySelectorAll('.jp-OutputArea-executeResult')].map((r) => r.textContent.trim()) : [];
  // mp.WithProgress draws one progress widget (a page with a widget
  // manager), updated to its end; the HTML <progress> bar is for others.
  found.htmlBars = pool ? pool.querySelectorAll('.jp-OutputArea-output progress').length : 0;
  const bars = pool ? [...pool.querySelectorAll('.widget-hprogress .progress-bar')] : [];
  found.progress = bars.map((b) => b.style.width);
  return found;
}

function check(found) {
  const problems = [];
  if (found.codeCells === 0) problems.push('the page shows no code cells');
  found.counts.forEach((n, i) => {
    if (n !== i + 1) problems.push(`code cell ${i + 1} has prompt [${n ?? ' '}], want [${i + 1}]`);
  });
  if (found.busyPrompts) problems.push(`${found.busyPrompts} cells still show [*]`);
  if (found.kernelName !== KERNEL) problems.push(`the notebook's toolbar names the kernel ${JSON.stringify(found.kernelName)}, not ${JSON.stringify(KERNEL)}`);
  found.red.forEach((outs, i) => {
    const last = i === found.red.length - 1;
    if (!last) {
      for (const o of outs) problems.push(`code cell ${i + 1} shows an error or stderr output: ${JSON.stringify(o.slice(0, 300))}`);
    } else if (outs.length !== 1) {
      problems.push(`the last cell shows ${outs.length} error outputs, want 1: ${JSON.stringify(outs)}`);
    } else {
      for (const want of ERROR_TEXTS) {
        if (!outs[0].includes(want)) problems.push(`the last cell's error lacks ${JSON.stringify(want)}: ${JSON.stringify(outs[0])}`);
      }
    }
  });
  if (!found.html) {
    problems.push(`no element #${HTML_ID} rendered inside a .jp-RenderedHTMLCommon (display.Show(display.HTML(...)) not shown as HTML)`);
  } else if (found.html.tag !== 'b' || found.html.text !== HTML_TEXT) {
    problems.push(`#${HTML_ID} is <${found.html.tag}> ${JSON.stringify(found.html.text)}, want <b> ${JSON.stringify(HTML_TEXT)}`);
  }
  if (!found.table) problems.push(`no <table> with header ${JSON.stringify(TABLE_HEADER)} rendered as HTML`);
  if (found.sliders !== 1) problems.push(`the interact cell shows ${found.sliders} slider widgets, want 1`);
  if (!(found.interactOut ?? '').includes(INTERACT_START)) problems.push(`the interact output shows ${JSON.stringify(found.interactOut)}, without ${JSON.stringify(INTERACT_START)}`);
  if (found.buttons !== 1) problems.push(`the button cell shows ${found.buttons} button widgets, want 1`);
  for (const e of found.widgetErrors) problems.push(`a widget failed to render: ${JSON.stringify(e.slice(0, 300))}`);
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
      problems.push(`the Pool cell shows ${found.progress.length} progress widgets (and ${found.htmlBars} HTML bars), want 1 widget`);
    } else if (found.progress[0] !== '100%') {
      problems.push(`the progress widget stopped at ${found.progress[0]}, want 100%`);
    }
    for (const r of found.poolResults) problems.push(`the Pool cell, which ends in a call returning nothing, shows a result: ${JSON.stringify(r)}`);
  }
  return problems;
}

// useWidgets drags the interact cell's slider to its right end and clicks
// the button, and returns what their outputs then show: the interact
// function run again with 8, the button's Go callback printing 8.
async function useWidgets(page) {
  const out = { problems: [] };
  const panel = '.jp-NotebookPanel:not(.lm-mod-hidden)';
  const cellWith = (mark) => page.locator(`${panel} .jp-Notebook .jp-Cell.jp-CodeCell`).filter({ hasText: mark });
  const wait = async (what, fn, want) => {
    const deadline = Date.now() + 30000;
    let got = '';
    for (;;) {
      got = await fn();
      if (got.includes(want) || Date.now() > deadline) break;
      await page.waitForTimeout(200);
    }
    out[what] = got.trim();
    if (!got.includes(want)) out.problems.push(`${what} shows ${JSON.stringify(got.trim().slice(0, 300))}, without ${JSON.stringify(want)}`);
  };
  try {
    log('dragging the slider to its end');
    const interact = cellWith(INTERACT_MARK);
    const handle = interact.locator('.widget-slider .noUi-handle').first();
    const track = interact.locator('.widget-slider .noUi-target').first();
    await handle.scrollIntoViewIfNeeded();
    const h = await handle.boundingBox();
    const tr = await track.boundingBox();
    await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await page.mouse.down();
    await page.mouse.move(tr.x + tr.width / 2, h.y + h.height / 2, { steps: 5 });
    await page.mouse.move(tr.x + tr.width + 40, h.y + h.height / 2, { steps: 5 });
    await page.mouse.up();
    await wait('interact', () => interact.locator('.widget-output').first().textContent(), INTERACT_END);
    log('clicking the button');
    const button = cellWith(BUTTON_MARK);
    await button.locator('button.widget-button').click();
    await wait('button', async () => (await button.locator('.jp-OutputArea-output').allTextContents()).join('\n'), BUTTON_LINE);
  } catch (e) {
    out.problems.push(`using the widgets: ${e.message.split('\n')[0]}`);
  }
  return out;
}

// api fetches a Jupyter Server REST path with the token.
async function api(path) {
  const resp = await fetch(`${base}${path}`, { headers: { Authorization: `token ${token}` } });
  if (!resp.ok) throw new Error(`GET ${path}: HTTP ${resp.status}`);
  return resp.json();
}

// savedRun is true once the server holds the notebook with the gomp kernel
// and every code cell run.
async function savedRun(codeCells) {
  const model = await api(`/api/contents/${nbPath}?content=1`);
  const cells = model.content.cells.filter((c) => c.cell_type === 'code');
  return (
    model.content.metadata?.kernelspec?.name === 'gomp' &&
    cells.length === codeCells &&
    cells.every((c, i) => c.execution_count === i + 1)
  );
}

// takeScreenshot grows the viewport to the whole notebook (it scrolls
// inside its panel) and writes the screenshot.
let shot = false;
async function takeScreenshot(page) {
  shot = true;
  try {
    const height = await page.evaluate(() => {
      // The bottom of the last cell, as if the notebook were scrolled to
      // its top, and room for the status bar.
      const scroller = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
      const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell');
      if (!scroller || !cells.length) return 900;
      return cells[cells.length - 1].getBoundingClientRect().bottom + scroller.scrollTop + 80;
    });
    await page.setViewportSize({ width: 1280, height: Math.min(Math.max(Math.round(height), 900), 8000) });
    await page.waitForTimeout(500);
    await page.screenshot({ path: screenshot });
    log(`screenshot ${screenshot}`);
  } catch (e) {
    problems.push(`taking the screenshot: ${e.message.split('\n')[0]}`);
  }
}

// cellText is the text of the notebook's last cell's editor.
function lastCellText() {
  const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell');
  const last = cells[cells.length - 1];
  return [...last.querySelectorAll('.jp-InputArea-editor .cm-line')].map((l) => l.textContent).join('\n');
}

// extraChecks uses the run notebook further, in JupyterLab, after it was
// saved: Tab completion after "mp." shows a list holding NewPool; Tab
// completion and Shift+Tab inspection with non-ASCII text before the cursor
// (an emoji is two UTF-16 code units but one code point: the page and the
// kernel must agree on what a cursor position counts); interrupting a
// "for {}" cell from the Kernel menu ends it with an error and keeps the
// kernel's state.
async function extraChecks(page) {
  const out = { problems: [] };
  const panel = '.jp-NotebookPanel:not(.lm-mod-hidden)';
  const lastCell = () => page.locator(`${panel} .jp-Notebook .jp-Cell`).last();
  // newCell adds a code cell below the last one and types text in it.
  const newCell = async (text) => {
    await page.keyboard.press('Escape');
    await lastCell().locator('.jp-InputPrompt').click();
    await page.keyboard.press('b');
    await page.keyboard.press('Enter');
    await page.keyboard.insertText(text);
  };
  const step = async (name, fn) => {
    try {
      log(name);
      await fn();
    } catch (e) {
      out.problems.push(`${name}: ${e.message.split('\n')[0]}`);
      await page.keyboard.press('Escape').catch(() => {});
    }
  };
  const short = { timeout: 20000 };

  await step('Tab completion after mp.', async () => {
    await newCell('mp.');
    await page.keyboard.press('Tab');
    const completer = page.locator('.jp-Completer:visible');
    await completer.locator('.jp-Completer-item').first().waitFor(short);
    out.completions = await completer.locator('.jp-Completer-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-value') || i.textContent.trim()));
    if (!out.completions.includes('NewPool')) out.problems.push(`Tab after "mp." listed ${JSON.stringify(out.completions)}, without NewPool`);
    await page.keyboard.press('Escape');
  });

  const emojiLine = 's := "😀é"; strings.ToValidU';
  await step('Tab completion after an emoji', async () => {
    await newCell(emojiLine);
    await page.keyboard.press('Tab');
    // One match: JupyterLab inserts it at once; else pick it from the list.
    const want = 's := "😀é"; strings.ToValidUTF8';
    const deadline = Date.now() + 20000;
    for (;;) {
      out.emojiCompletion = await page.evaluate(lastCellText);
      if (out.emojiCompletion === want || Date.now() > deadline) break;
      if (await page.locator('.jp-Completer:visible .jp-Completer-item').count()) await page.keyboard.press('Enter');
      await page.waitForTimeout(250);
    }
    if (out.emojiCompletion !== want) {
      out.problems.push(`Tab completion of ${JSON.stringify(emojiLine)} left ${JSON.stringify(out.emojiCompletion)}, want ${JSON.stringify(want)}`);
    }
    await page.keyboard.press('Escape');
  });

  await step('Shift+Tab inspection after an emoji', async () => {
    await newCell('s := "😀é"; n := strings.Count');
    await page.keyboard.press('Shift+Tab');
    const tooltip = page.locator('.jp-Tooltip:visible');
    await tooltip.waitFor(short);
    // The tooltip may show before its text is rendered.
    const deadline = Date.now() + 20000;
    for (;;) {
      out.emojiInspection = ((await tooltip.textContent().catch(() => '')) ?? '').trim().slice(0, 300);
      if (out.emojiInspection.includes('func Count(s, substr string) int') || Date.now() > deadline) break;
      await page.waitForTimeout(250);
    }
    if (!out.emojiInspection.includes('func Count(s, substr string) int')) {
      out.problems.push(`Shift+Tab on strings.Count after an emoji showed ${JSON.stringify(out.emojiInspection)}, without "func Count(s, substr string) int"`);
    }
    await page.keyboard.press('Escape');
  });

  await step('interrupt for {} from the Kernel menu', async () => {
    await newCell('kept := 7\nfor {\n}');
    await page.keyboard.press('Control+Enter');
    const prompt = lastCell().locator('.jp-InputPrompt');
    await page.waitForFunction((sel) => {
      const cells = document.querySelectorAll(sel);
      return cells[cells.length - 1].querySelector('.jp-InputPrompt').textContent.includes('[*]');
    }, `${panel} .jp-Notebook .jp-Cell`, { timeout: 20000, polling: 200 });
    await page.waitForTimeout(1000);
    await page.locator('.lm-MenuBar-item').filter({ hasText: /^Kernel$/ }).click();
    await page.locator('.lm-Menu-itemLabel').filter({ hasText: /^Interrupt Kernel$/ }).click();
    await page.waitForFunction((sel) => {
      const cells = document.querySelectorAll(sel);
      return /\[\d+\]/.test(cells[cells.length - 1].querySelector('.jp-InputPrompt').textContent);
    }, `${panel} .jp-Notebook .jp-Cell`, { timeout: 30000, polling: 200 });
    out.interrupted = (await lastCell().locator('.jp-OutputArea-output').allTextContents()).join('\n').trim();
    if (!out.interrupted) out.problems.push(`the interrupted cell (prompt ${await prompt.textContent()}) shows no output`);
    await newCell('kept * 6');
    await page.keyboard.press('Control+Enter');
    const result = lastCell().locator('.jp-OutputArea-executeResult');
    await result.waitFor(short);
    out.afterInterrupt = (await result.textContent()).trim();
    if (!out.afterInterrupt.endsWith('42')) out.problems.push(`after the interrupt, kept * 6 showed ${JSON.stringify(out.afterInterrupt)}, want 42`);
  });

  await step('restart the kernel from the Kernel menu', async () => {
    await page.keyboard.press('Escape');
    await page.locator('.lm-MenuBar-item').filter({ hasText: /^Kernel$/ }).click();
    await page.locator('.lm-Menu-itemLabel').filter({ hasText: /^Restart Kernel…$/ }).click();
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await page.waitForFunction(
      (sel) => document.querySelector(sel) !== null,
      `${panel} .jp-Notebook-ExecutionIndicator[data-status="idle"]`,
      { timeout: 60000, polling: 200 },
    );
    // A new kernel: the old variables are gone and counting starts again.
    await newCell('restarted := "fresh"\nrestarted');
    await page.keyboard.press('Control+Enter');
    const result = lastCell().locator('.jp-OutputArea-executeResult');
    await result.waitFor(short);
    out.restarted = (await result.textContent()).trim();
    const prompt = (await lastCell().locator('.jp-InputPrompt').textContent()).trim();
    if (!out.restarted.includes('fresh') || prompt !== '[1]:') out.problems.push(`after the restart the new cell showed ${JSON.stringify(out.restarted)} with prompt ${prompt}, want "fresh" and [1]:`);
  });
  return out;
}

const started = Date.now();
const consoleErrors = [];
let extras = null;
let widgetsUsed = null;
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
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The token goes in a header, not in the page's URL (or its screenshot).
  await context.setExtraHTTPHeaders({ Authorization: `token ${token}` });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`);
  });
  try {
    log(`opening ${pageURL}`);
    const resp = await page.goto(`${pageURL}?token=${encodeURIComponent(token)}`, { waitUntil: 'load' });
    if (!resp || !resp.ok()) throw new Error(`GET the notebook page: HTTP ${resp ? resp.status() : 'no response'}`);

    log('choosing the kernel in the Select Kernel dialog');
    const dialog = page.locator('.jp-Dialog').filter({ hasText: 'Select Kernel' });
    await dialog.locator('select').selectOption({ label: KERNEL });
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await page.waitForFunction(
      (kernel) =>
        document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar-kernelName .jp-ToolbarButtonComponent-label')?.textContent.trim() === kernel &&
        document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null,
      KERNEL,
      { polling: 200 },
    );

    log('running all cells from the Run menu');
    await page.locator('.lm-MenuBar-item').filter({ hasText: /^Run$/ }).click();
    await page.locator('.lm-Menu-itemLabel').filter({ hasText: /^Run All Cells$/ }).click();
    await page.waitForFunction(
      () => {
        const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell.jp-CodeCell')];
        const prompts = cells.map((c) => c.querySelector('.jp-InputPrompt')?.textContent ?? '');
        return (
          cells.length > 0 &&
          prompts.every((p) => /\[\d+\]/.test(p)) &&
          document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status="idle"]') !== null
        );
      },
      null,
      { polling: 200 },
    );

    // Output messages may trail a cell's execute_reply by a moment: look
    // again for a few seconds before reporting anything missing.
    const settle = Date.now() + 5000;
    for (;;) {
      found = await page.evaluate(inPage, {
        htmlId: HTML_ID, chartText: CHART_TEXT, poolMark: POOL_MARK,
        tableHeader: TABLE_HEADER, interactMark: INTERACT_MARK, buttonMark: BUTTON_MARK,
      });
      problems = check(found);
      if (problems.length === 0 || Date.now() > settle) break;
      await page.waitForTimeout(250);
    }

    widgetsUsed = await useWidgets(page);
    problems.push(...widgetsUsed.problems);

    log('saving with Ctrl+S');
    await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Escape');
    // Wait for the page's own PUT of the notebook to answer before reading
    // it back: a read while the server writes makes jupyter_server
    // "restore" its backup over the file being saved.
    const put = page.waitForResponse(
      (r) => r.request().method() === 'PUT' && new URL(r.url()).pathname.endsWith(`/api/contents/${nbPath}`),
      { timeout: 30000 },
    );
    await page.keyboard.press('Control+s');
    const saved = await put;
    if (!saved.ok()) throw new Error(`saving: PUT ${new URL(saved.url()).pathname}: HTTP ${saved.status()}`);
    if (!(await savedRun(found.codeCells))) {
      throw new Error('the notebook the server holds after Ctrl+S lacks the gomp kernelspec or an execution count');
    }
    await takeScreenshot(page);
    if (app === 'lab') {
      extras = await extraChecks(page);
      problems.push(...extras.problems);
    }
  } catch (e) {
    problems.push(`driving the page: ${e.message.split('\n')[0]}`);
  } finally {
    if (!shot) await takeScreenshot(page);
  }
} catch (e) {
  problems.push(`starting ${CHROMIUM}: ${e.message.split('\n')[0]}`);
} finally {
  if (browser) await browser.close();
}
// Errors the front end raises by itself, whatever the kernel: Notebook
// 7.6.5's keyboard-shortcut plugin throws this on every page, its /tree
// listing included, with no kernel running (its pluginChanged handler reads
// plugins[id].schema of a plugin the settings registry has not loaded).
const KNOWN_PAGE_ERRORS = {
  notebook: ["pageerror: Cannot read properties of undefined (reading 'schema')"],
  lab: [],
};
const knownErrors = consoleErrors.filter((e) => KNOWN_PAGE_ERRORS[app].includes(e));
for (const e of consoleErrors) {
  if (!knownErrors.includes(e)) problems.push(`the browser's console: ${e.slice(0, 300)}`);
}

const summary = {
  ok: problems.length === 0,
  seconds: Math.round((Date.now() - started) / 100) / 10,
  screenshot,
  found,
  widgets: widgetsUsed,
  extras,
  problems,
  knownErrors,
};
if (problems.length) {
  console.error('notebook.mjs: the page failed these checks:');
  for (const p of problems) console.error(`  - ${p}`);
  if (found) console.error(`notebook.mjs: found ${JSON.stringify(found)}`);
  process.exit(1);
}
console.log(JSON.stringify(summary));
