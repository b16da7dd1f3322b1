export * as eppCommands from './commands.js';
export { EppConnection, type EppEndpoint, newClTRID } from './connection.js';
export * from './errors.js';
export { encodeFrame, FrameError, FrameReader } from './frame.js';
export { EXTENSION_URIS, NS as EPP_NAMESPACES, OBJECT_URIS } from './ns.js';
export { Registry } from './registry.js';
export { type EppResponse, type Greeting, parseEpp } from './responses.js';
export { EppSession, type SessionOptions } from './session.js';
export type * from './types.js';
