/** Importing this folder registers the eduroam GraphQL types, queries and mutations. */
import './enums.js';
import './types.js';
import './queries.js';
import './mutations.js';
import './server-mutations.js';
import './site-mutations.js';
import './site-bulk.js';

export { RealmRef, ServerRef, SiteRef } from './types.js';
