/**
 * The Sealroom review panel: a JupyterLab 4 plugin that adds the rights holder's review queue to
 * the left sidebar and a command to open it.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';

import { ReviewsAPI } from './api';
import { reviewIcon } from './icon';
import { ReviewPanel } from './panel';

/** The sidebar widget's id (tests click `li[data-id="sealroom-review-panel"]`). */
const PANEL_ID = 'sealroom-review-panel';

namespace CommandIDs {
  export const open = 'sealroom:open-review-panel';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@sealroom/review-panel:plugin',
  description: 'The rights holder reviews requests on their content: approve or deny, with a note.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette, IEditorLanguageRegistry],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    languages: IEditorLanguageRegistry | null
  ): void => {
    const panel = new ReviewPanel({ api: new ReviewsAPI(app.serviceManager.serverSettings), languages });
    panel.id = PANEL_ID;
    panel.title.icon = reviewIcon;
    panel.title.caption = 'Sealroom reviews';
    app.shell.add(panel, 'left', { rank: 150 });
    restorer?.add(panel, PANEL_ID);

    app.commands.addCommand(CommandIDs.open, {
      label: 'Open Sealroom Reviews',
      caption: 'Show the requests waiting for your review',
      icon: reviewIcon,
      execute: () => app.shell.activateById(PANEL_ID)
    });
    palette?.addItem({ command: CommandIDs.open, category: 'Sealroom' });
  }
};

export default plugin;
