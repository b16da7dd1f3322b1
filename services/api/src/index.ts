export { type AppDeps, buildApp } from './app.js';
export { authenticate } from './auth/authenticate.js';
export { createLocalStaff } from './auth/staff.js';
export { createApiToken, listTokens } from './auth/tokens.js';
export { type AnyJob, apiJobDefinitions, bindApiJobs } from './jobs.js';
export { buildSchema } from './schema.js';
