// The IPC channel names between preload and main: the only ones either side uses.

export const CHANNELS = {
  /** window -> main: one engine protocol message (checked against SERVICE_METHODS on both sides). */
  engineSend: 'qwb:engine-send',
  /** main -> window: one message from the engine (or the engine-exit event). */
  engineMessage: 'qwb:engine-message',
  session: 'qwb:session',
  openModel: 'qwb:open-model',
  chooseFolder: 'qwb:choose-folder',
  chooseFile: 'qwb:choose-file',
  showInFolder: 'qwb:show-in-folder',
  /** main -> window: a menu command. */
  menu: 'qwb:menu',
} as const;

export const INVOKE_CHANNELS: readonly string[] = [CHANNELS.session, CHANNELS.openModel, CHANNELS.chooseFolder, CHANNELS.chooseFile];
