/** The dashboard's public face: the CLI imports only this, and only lazily. */
export { startDashboard } from './run-dashboard.js';
export type { DashboardEngine } from './dashboard-engine.js';
