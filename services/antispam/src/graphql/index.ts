/** Importing this folder registers the antispam GraphQL types, queries and mutations. */
import './types.js';
import './queries.js';
import './mutations.js';
import './filtering.js';
import './reports.js';
import './cutover.js';

export { DomainRef, OnboardingRef } from './types.js';
