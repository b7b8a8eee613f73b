/**
 * The dashboard's part of berth's config file (<root>/config.json): `"keys"` remaps commands by
 * id (`{"keys": {"container.toggle": "S", "app.quit": ["q", "ctrl+q"]}}`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyOverrides, defaultKeymap, type KeyBinding, type KeyOverrides } from './keymap.js';

export interface DashboardConfig {
  keymap: KeyBinding[];
  /** Problems worth a status line: unknown ids, a malformed file. */
  warnings: string[];
}

export function parseKeyOverrides(value: unknown): { overrides: KeyOverrides; warnings: string[] } {
  const overrides: KeyOverrides = {};
  const warnings: string[] = [];
  if (value === undefined) return { overrides, warnings };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { overrides, warnings: ['config.json: "keys" must be an object of command id → key'] };
  }
  for (const [id, keys] of Object.entries(value as Record<string, unknown>)) {
    if (typeof keys === 'string') overrides[id] = keys;
    else if (Array.isArray(keys) && keys.every((key) => typeof key === 'string'))
      overrides[id] = keys as string[];
    else warnings.push(`config.json: keys.${id} must be a key or a list of keys`);
  }
  return { overrides, warnings };
}

export async function loadDashboardConfig(root: string): Promise<DashboardConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(root, 'config.json'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { keymap: [...defaultKeymap], warnings: [] };
    return { keymap: [...defaultKeymap], warnings: [`config.json is not valid JSON; default keys in use`] };
  }
  const keys =
    parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>)['keys'] : undefined;
  const { overrides, warnings } = parseKeyOverrides(keys);
  const { keymap, unknown } = applyOverrides(defaultKeymap, overrides);
  for (const id of unknown) warnings.push(`config.json: no dashboard command "${id}" to remap`);
  return { keymap, warnings };
}
