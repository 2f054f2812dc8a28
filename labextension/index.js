// @powercoach/autorun: a course notebook shows its widgets as soon as a learner opens it.
//
// When a notebook opens in JupyterLab (or Notebook 7) and its metadata says
// "powercoach": {"autorun": true}, this runs its code cells once, top to bottom, as soon as the
// kernel is idle, the way Voila shows a lesson ready without Run All. It never runs another
// notebook, never scrolls, never moves the focus or the active cell, and never runs code the
// course did not write: a cell is run only when it reads as course code (imports from
// powercoach.widgets or powercoach.exercise, calls of what those imported with literal arguments,
// and literal answer lines such as answers["Q3"] = "poor"). At the first cell that does not, it
// stops and says so; Run > Run All Cells still runs everything. The setting "autorun" (Settings >
// Settings Editor > Course notebooks) turns it off.
//
// A second plugin opens the course notebook named in the page's address (/lab/tree/...,
// /doc/tree/...) as soon as JupyterLab has restored its layout. JupyterLab itself opens it only
// after its router has run, which waits for the workspace's debounced save (750 ms) on every page
// load; opening it first makes a lesson live about a second sooner (docs/autorun.md, "Measured").
import { Notification } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { CodeCell } from '@jupyterlab/cells';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { isCourseCode } from './guard.js';

const PLUGIN_ID = '@powercoach/autorun:plugin';

function wantsAutorun(panel) {
  const meta = panel.model && panel.model.getMetadata('powercoach');
  return !!(meta && meta.autorun === true);
}

/** Resolves true once the notebook's kernel reports idle, false if it never can. */
function kernelIdle(sessionContext) {
  return new Promise(resolve => {
    const check = () => {
      if (sessionContext.isDisposed || sessionContext.hasNoKernel) {
        finish(false);
      } else if (sessionContext.session && sessionContext.session.kernel &&
                 sessionContext.session.kernel.status === 'idle') {
        finish(true);
      }
    };
    const finish = value => {
      sessionContext.statusChanged.disconnect(check);
      sessionContext.kernelChanged.disconnect(check);
      resolve(value);
    };
    sessionContext.statusChanged.connect(check);
    sessionContext.kernelChanged.connect(check);
    check();
  });
}

const sourcesOf = notebook => notebook.widgets.map(cell => cell.model.sharedModel.getSource()).join('\u0001');

/** Run the code cells in order, each to completion; stop at an error or at code the course did not write. */
async function runCourseCells(panel, opened) {
  const { content, context, sessionContext } = panel;
  const names = { imported: new Set(), assigned: new Set() };
  let outcome = 'done';
  try {
    for (const cell of content.widgets) {
      if (panel.isDisposed) {
        return 'closed';
      }
      if (cell.model.type !== 'code' || !cell.model.sharedModel.getSource().trim()) {
        continue;
      }
      // Checked and sent in the same tick: what is checked is what runs.
      if (!isCourseCode(cell.model.sharedModel.getSource(), names)) {
        outcome = 'stopped';
        break;
      }
      const reply = await CodeCell.execute(cell, sessionContext, { recordTiming: false });
      if (!reply || reply.content.status !== 'ok') {
        outcome = 'error';
        break;
      }
    }
  } catch (reason) {
    console.warn('powercoach autorun stopped:', reason);
    outcome = 'error';
  }
  // Opening a lesson is not an edit: when it was clean as it loaded and no cell's source changed since,
  // the outputs (and the kernel's language_info, which JupyterLab writes as the kernel starts) leave it
  // clean, so nothing asks to be saved and autosave writes no outputs into the course's files. A
  // learner who typed meanwhile keeps it dirty.
  if (!panel.isDisposed && !opened.dirty && sourcesOf(content) === opened.sources) {
    context.model.dirty = false;
  }
  return outcome;
}

const plugin = {
  id: PLUGIN_ID,
  description: 'Runs a powercoach course notebook when it opens, so its widgets are live without Run All.',
  autoStart: true,
  // Optional, so that a page with no notebooks to track (Voila, which loads every installed extension
  // and runs the notebook itself) activates it quietly and it does nothing there.
  optional: [INotebookTracker, ISettingRegistry],
  activate: (app, tracker, registry) => {
    if (!tracker) {
      return;
    }
    let enabled = true;
    const settingsLoaded = registry
      ? registry.load(PLUGIN_ID).then(settings => {
        const read = () => {
          enabled = settings.get('autorun').composite !== false;
        };
        read();
        settings.changed.connect(read);
      }).catch(reason => console.warn('powercoach autorun: settings not loaded, autorun stays on', reason))
      : Promise.resolve();

    const seen = new WeakSet(); // a second view of the same notebook shares its outputs: run once
    tracker.widgetAdded.connect((_, panel) => {
      const mark = state => {
        if (!panel.isDisposed) {
          panel.node.dataset.powercoachAutorun = state;
        }
      };
      void (async () => {
        await Promise.all([panel.context.ready, settingsLoaded]);
        const opened = { dirty: panel.context.model.dirty, sources: sourcesOf(panel.content) };
        if (!wantsAutorun(panel) || seen.has(panel.context)) {
          mark('skipped');
          return;
        }
        seen.add(panel.context);
        if (!enabled) {
          mark('off');
          return;
        }
        mark('waiting');
        await panel.sessionContext.ready;
        if (!(await kernelIdle(panel.sessionContext))) {
          mark('no-kernel');
          return;
        }
        mark('running');
        const outcome = await runCourseCells(panel, opened);
        mark(outcome);
        if (outcome === 'stopped') {
          Notification.info(
            'Part of this notebook was not run when it opened, because it holds code the course did not ' +
            'write. To run it all, choose Run > Run All Cells.',
            { autoClose: 10000 }
          );
        }
      })().catch(reason => {
        console.warn('powercoach autorun:', reason);
        mark('error');
      });
    });
  }
};

/** Open the course notebook of the page's address once the layout is restored, before the router does. */
const openEarly = {
  id: '@powercoach/autorun:open-early',
  description: 'Opens the course notebook named in the page address as soon as JupyterLab has restored its layout.',
  autoStart: true,
  activate: app => {
    const path = PageConfig.getOption('treePath');
    // JupyterLab only (not Notebook 7, which opens a document in a new window), a notebook only.
    if (app.name !== 'JupyterLab' || !path || !path.endsWith('.ipynb')) {
      return;
    }
    void (async () => {
      const [model] = await Promise.all([
        app.serviceManager.contents.get(path, { type: 'notebook', content: true }),
        app.restored
      ]);
      const meta = model.content && model.content.metadata && model.content.metadata.powercoach;
      if (meta && meta.autorun === true && app.commands.hasCommand('docmanager:open')) {
        // The router's own open, a moment later, then finds it open and only reveals it.
        const widget = await app.commands.execute('docmanager:open', { path });
        if (widget && widget.node) {
          widget.node.dataset.powercoachOpenedEarly = 'true'; // for the browser tests
        }
      }
    })().catch(reason => console.debug('powercoach: the notebook opens as JupyterLab opens it', reason));
  }
};

export default [plugin, openEarly];
